package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.lang.Character.UnicodeScript;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.mmedstream.filter.service.TermLexicon.Matching;

class TermLexiconTest {

    private static final Map<String, Matching> MATCHING = Map.of("en", Matching.STEM, "fr", Matching.STEM, "es",
            Matching.STEM, "ru", Matching.STEM, "zh", Matching.SUBSTRING, "ja", Matching.SUBSTRING);

    @ParameterizedTest
    @ValueSource(strings = {"en", "zh", "ja", "fr", "ru", "es"})
    void defaultModeHasALargeWeightedTermListForEachLanguage(String lang) {
        TermLexicon lexicon = TermLexicon.load(FilterSettings.DEFAULT_RELEVANCE_MODE, lang);

        assertThat(lexicon.lang()).isEqualTo(lang);
        assertThat(lexicon.matching()).isEqualTo(MATCHING.get(lang));
        assertThat(lexicon.terms()).hasSizeGreaterThanOrEqualTo(400);
        assertThat(lexicon.terms()).extracting(TermLexicon.Term::weight).contains(0.5, 1.0, 1.5);
        assertThat(lexicon.minEvidence()).isPositive();
        assertThat(lexicon.minDensity()).isPositive();
        assertThat(lexicon.dense()).isNotNull();
        assertThat(lexicon.evidenceLength()).isPositive();
        // Loading the matcher checks that no two terms share their stems (stem lists) or text (substring lists).
        assertThat(TermMatcher.of(lexicon).termCount()).isEqualTo(lexicon.terms().size());
    }

    @Test
    void defaultModeLoadsForAllSixLanguagesWithItsPatternsAndVersion() {
        DocumentFilter filter = Samples.defaultFilter();

        assertThat(filter.languages()).containsExactlyInAnyOrder("en", "zh", "ja", "fr", "ru", "es");
        for (String lang : filter.languages()) {
            assertThat(filter.termLexicon(lang).set()).isEqualTo("lexical-v2");
        }
        assertThat(Lexicon.setVersion("lexical-v2")).isEqualTo("1");
        assertThat(ClinicalPatterns.load("lexical-v2").classes()).extracting(ClinicalPatterns.UnitClass::name)
                .contains("dose", "lab", "pressure");
    }

    @Test
    void headerWeightsSuffixesAndPerTermWeightsAreRead() throws Exception {
        TermLexicon lexicon = TermLexicon.parse("t", "de", new StringReader("""
                # @lang: de
                # @matching: stem
                # @analyzer: german
                # @scripts: LATIN
                # @min-evidence: 5
                # @min-density: 0.03
                # @dense-min-evidence: 2
                # @dense-min-density: 0.2
                # @evidence-length: 100
                Krankenhaus
                # @weight: 1.5
                Lungenentzündung
                Fieber = 0.5
                -mycin
                """));

        assertThat(lexicon.terms()).containsExactly(new TermLexicon.Term("Krankenhaus", 1.0),
                new TermLexicon.Term("Lungenentzündung", 1.5), new TermLexicon.Term("Fieber", 0.5),
                new TermLexicon.Term("-mycin", 1.5));
        assertThat(lexicon.terms().get(3).suffix()).isTrue();
        assertThat(lexicon.scripts()).containsExactly(UnicodeScript.LATIN);
        assertThat(lexicon.dense()).isEqualTo(new TermLexicon.Thresholds(2, 0.2));
        assertThat(lexicon.evidenceLength()).isEqualTo(100);
        // A German list works with the analysis chain that is ready for it.
        assertThat(TermMatcher.of(lexicon).termCount()).isEqualTo(4);
    }

    @Test
    void badListsAreConfigurationErrors() {
        assertThatThrownBy(() -> parse("# @lang: en\n# @matching: stem\n# @scripts: LATIN\n# @min-evidence: 1\n"
                + "# @min-density: 0.1\nfever\n")).hasMessageContaining("@matching stem needs an @analyzer");
        assertThatThrownBy(() -> parse("# @lang: en\n# @matching: substring\n# @scripts: LATIN\n"
                + "# @min-evidence: 1\n# @min-density: 0.1\n-mycin\n")).hasMessageContaining("suffix terms");
        assertThatThrownBy(() -> TermMatcher.of(parse("# @lang: en\n# @matching: stem\n# @analyzer: klingon\n"
                + "# @scripts: LATIN\n# @min-evidence: 1\n# @min-density: 0.1\nfever\n")))
                .isInstanceOf(FilterException.class).hasMessageContaining("unknown @analyzer 'klingon'");
        assertThatThrownBy(() -> parse("# @lang: en\n# @matching: stem\n# @analyzer: english\n# @scripts: LATIN\n"
                + "# @min-evidence: 1\n# @min-density: 0.1\nfever = heavy\n")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> parse("# @lang: en\n# @matching: stem\n# @analyzer: english\n# @scripts: LATIN\n"
                + "# @min-evidence: 1\n# @min-density: 0.1\n# @colour: red\nfever\n"))
                .hasMessageContaining("unknown directive @colour");
        assertThatThrownBy(() -> TermLexicon.load("lexical-v2", "xx")).isInstanceOf(FilterException.class)
                .hasMessageContaining("no lexicon for language 'xx'");
    }

    private static TermLexicon parse(String text) throws Exception {
        return TermLexicon.parse("t", "en", new StringReader(text));
    }

    @Test
    void everyTermOfTheDefaultListsIsFoundInItself() {
        // A term that its own analysis cannot find (a stop word only, a suffix clash) would be dead weight.
        for (String lang : List.of("en", "fr", "es", "ru", "zh", "ja")) {
            TermLexicon lexicon = TermLexicon.load("lexical-v2", lang);
            WeightedRelevance relevance = new WeightedRelevance(lexicon, new ClinicalPatterns(List.of()), 0, 0);
            for (TermLexicon.Term term : lexicon.terms()) {
                if (!term.suffix()) {
                    assertThat(relevance.termsFound(term.text())).as(lang + ": " + term.text()).isNotEmpty();
                }
            }
        }
    }
}
