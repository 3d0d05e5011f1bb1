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

class LexiconTest {

    /** The paper's thresholds (REFERENCE section 1). */
    private static final Map<String, RelevanceThresholds> PAPER = Map.of(
            "en", new RelevanceThresholds(5, 0.04),
            "zh", new RelevanceThresholds(5, 0.05),
            "ja", new RelevanceThresholds(5, 0.05),
            "ru", new RelevanceThresholds(4, 0.02),
            "es", new RelevanceThresholds(4, 0.04),
            "fr", new RelevanceThresholds(4, 0.04));

    @ParameterizedTest
    @ValueSource(strings = {"en", "zh", "ja", "fr", "ru", "es"})
    void shippedLexiconHasThePapersThresholdsAndSizeAndMatching(String lang) {
        Lexicon lexicon = Lexicon.load("mmedc", lang);

        assertThat(lexicon.lang()).isEqualTo(lang);
        assertThat(lexicon.thresholds()).isEqualTo(PAPER.get(lang));
        assertThat(lexicon.keywords()).hasSizeBetween(150, 190);
        assertThat(lexicon.matching())
                .isEqualTo(lang.equals("zh") || lang.equals("ja") ? MatchingMode.SUBSTRING : MatchingMode.WORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"en", "zh", "ja", "fr", "ru", "es"})
    void noShippedKeywordIsFoundInsideAnotherSoNoMentionCountsTwice(String lang) {
        Lexicon lexicon = Lexicon.load("mmedc", lang);
        KeywordMatcher matcher = KeywordMatcher.of(lexicon);

        for (String keyword : lexicon.keywords()) {
            assertThat(matcher.score(keyword).occurrences())
                    .as("keywords found in '%s'", keyword)
                    .containsOnlyKeys(keyword);
        }
    }

    @Test
    void setVersionIsReadFromTheSetProperties() {
        assertThat(Lexicon.setVersion("mmedc")).isEqualTo("1");
    }

    @Test
    void parsesHeaderAndKeywords() throws Exception {
        Lexicon lexicon = Lexicon.parse("test", "ar", new StringReader("""
                # Arabic, for the test
                # @lang: ar
                # @matching: word
                # @scripts: ARABIC
                # @min-keywords: 3
                # @min-density: 0.03

                مريض
                # a comment between keywords
                مستشفى
                """));

        assertThat(lexicon.keywords()).containsExactly("مريض", "مستشفى");
        assertThat(lexicon.scripts()).containsExactly(UnicodeScript.ARABIC);
        assertThat(lexicon.thresholds()).isEqualTo(new RelevanceThresholds(3, 0.03));
    }

    @Test
    void rejectsAKeywordListedTwiceInAnyCase() {
        assertThatThrownBy(() -> parse("word", List.of("Fever", "fever")))
                .isInstanceOf(FilterException.class).hasMessageContaining("listed twice");
    }

    @Test
    void rejectsUnknownHeadersMissingHeadersAndAWrongLanguage() {
        assertThatThrownBy(() -> Lexicon.parse("t", "en", new StringReader("# @lang: en\n# @matchin: word\nx\n")))
                .isInstanceOf(FilterException.class).hasMessageContaining("unknown header @matchin");
        assertThatThrownBy(() -> Lexicon.parse("t", "en", new StringReader("# @lang: en\nx\n")))
                .isInstanceOf(FilterException.class).hasMessageContaining("@matching is missing");
        assertThatThrownBy(() -> Lexicon.parse("t", "en", new StringReader(header("fr", "word") + "x\n")))
                .isInstanceOf(FilterException.class).hasMessageContaining("declares @lang fr");
    }

    @Test
    void unknownLanguageOrSetIsAConfigurationError() {
        assertThatThrownBy(() -> Lexicon.load("mmedc", "xx"))
                .isInstanceOf(FilterException.class)
                .satisfies(e -> assertThat(((FilterException) e).reason())
                        .isEqualTo(FilterException.Reason.INVALID_CONFIGURATION));
        assertThatThrownBy(() -> Lexicon.setVersion("nope")).isInstanceOf(FilterException.class);
    }

    private static Lexicon parse(String matching, List<String> keywords) throws Exception {
        return Lexicon.parse("t", "en", new StringReader(header("en", matching) + String.join("\n", keywords)));
    }

    private static String header(String lang, String matching) {
        return "# @lang: " + lang + "\n# @matching: " + matching + "\n# @scripts: LATIN\n# @min-keywords: 1\n"
                + "# @min-density: 0.01\n";
    }
}
