package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.domain.ScoreNames;

/**
 * The two ways language identification avoids most of Lingua's work (function words, then a first look at the
 * start of the sample) decide as the whole sample would, and leave everything unclear to Lingua.
 */
class LanguageShortcutsTest {

    private static final List<String> CANDIDATES = new ArrayList<>(List.of("en", "fr", "ru", "es"));

    static {
        CANDIDATES.addAll(FilterSettings.DEFAULT_OTHER_LANGUAGES);
    }

    private final FunctionWords functionWords = FunctionWords.forCandidates(CANDIDATES);

    @Test
    void functionWordsDecideClearEnglishAndFrench() {
        assertThat(functionWords.decide(Samples.EN_MEDICAL).lang()).isEqualTo("en");
        assertThat(functionWords.decide(Samples.EN_NEWS).lang()).isEqualTo("en");
        assertThat(functionWords.decide(Samples.FR_MEDICAL).lang()).isEqualTo("fr");

        FilterVerdict verdict = Samples.defaultFilter().classify(Samples.EN_MEDICAL, null);
        assertThat(verdict.lang()).isEqualTo("en");
        assertThat(verdict.scores().get(ScoreNames.LANG_FUNCTION_WORDS)).isGreaterThan(FunctionWords.MIN_SHARE);
        assertThat(verdict.scores().get(ScoreNames.LANG_CONFIDENCE)).isGreaterThan(0.7);
    }

    @Test
    void functionWordsNeverNameAnotherLanguageForTextInALanguageTheyKnow() {
        Map<String, String> texts = Map.ofEntries(Map.entry("it", Samples.IT_TEXT), Map.entry("de", Samples.DE_TEXT),
                Map.entry("pt", Samples.PT_TEXT), Map.entry("ca", Samples.CA_TEXT), Map.entry("nl", Samples.NL_TEXT),
                Map.entry("pl", Samples.PL_TEXT), Map.entry("uk", Samples.UK_TEXT), Map.entry("bg", Samples.BG_TEXT),
                Map.entry("es", Samples.ES_NEWS), Map.entry("ru", Samples.RU_NEWS), Map.entry("en", Samples.EN_NEWS),
                Map.entry("fr", Samples.FR_NEWS));

        texts.forEach((lang, text) -> {
            FunctionWords.Decision d = functionWords.decide(text);
            assertThat(d == null ? lang : d.lang()).as(lang).isEqualTo(lang);
        });
    }

    @Test
    void codeMixedTextIsLeftToLingua() {
        assertThat(functionWords.decide(Samples.EN_MEDICAL + " " + Samples.FR_MEDICAL)).isNull();
    }

    @Test
    void aWordListedForTwoCandidatesCountsForNeither() {
        String shared = "de la de la in a a in de la que en la de un a la de ".repeat(3);

        assertThat(functionWords.decide(shared)).isNull();
    }

    @Test
    void tooFewWordsAreLeftToLingua() {
        assertThat(functionWords.decide("The patient was admitted with fever and cough, which was treated.")).isNull();
    }

    @Test
    void aCandidateWithoutAListSwitchesTheCheckOff() {
        assertThat(FunctionWords.forCandidates(List.of("en", "fr", "sv"))).isNull();
    }

    @Test
    void everyListedLanguageHasItsFunctionWordsInOneScript() {
        FunctionWords.load().forEach((lang, words) -> {
            assertThat(words).as(lang).hasSizeGreaterThanOrEqualTo(30);
            assertThat(words.stream().map(w -> Character.UnicodeScript.of(w.codePointAt(0))).distinct())
                    .as(lang).hasSize(1);
        });
    }

    @Test
    void theShortcutsDecideEveryTestParagraphAsTheWholeSampleDoes() {
        DocumentFilter fast = Samples.defaultFilter();
        DocumentFilter whole = new DocumentFilter(FilterSettings.builder().functionWordCheck(false).quickChars(0)
                .build());
        List<String> texts = List.of(Samples.EN_MEDICAL, Samples.EN_NEWS, Samples.FR_MEDICAL, Samples.FR_NEWS,
                Samples.ES_MEDICAL, Samples.ES_NEWS, Samples.RU_MEDICAL, Samples.RU_NEWS, Samples.IT_TEXT,
                Samples.DE_TEXT, Samples.PT_TEXT, Samples.CA_TEXT, Samples.NL_TEXT, Samples.PL_TEXT, Samples.UK_TEXT,
                Samples.BG_TEXT, Samples.EN_MEDICAL + " " + Samples.FR_MEDICAL,
                // long enough for a first look: 200 characters of Spanish, then more
                Samples.ES_MEDICAL + " " + Samples.ES_NEWS + " " + Samples.ES_MEDICAL);

        for (String text : texts) {
            FilterVerdict a = fast.classify(text, null);
            FilterVerdict b = whole.classify(text, null);
            assertThat(a.lang()).as(text).isEqualTo(b.lang());
            assertThat(a.reasons()).as(text).isEqualTo(b.reasons());
        }
        assertThat(whole.classify(Samples.EN_MEDICAL, null).scores()).doesNotContainKey(
                ScoreNames.LANG_FUNCTION_WORDS);
    }
}
