package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.domain.ScoreNames;

class DocumentFilterTest {

    private final DocumentFilter filter = Samples.defaultFilter();
    private final DocumentFilter paper = Samples.paperFilter();

    static Stream<Arguments> medical() {
        return Stream.of(Arguments.of("en", Samples.EN_MEDICAL), Arguments.of("fr", Samples.FR_MEDICAL),
                Arguments.of("es", Samples.ES_MEDICAL), Arguments.of("ru", Samples.RU_MEDICAL),
                Arguments.of("zh", Samples.ZH_MEDICAL), Arguments.of("ja", Samples.JA_MEDICAL));
    }

    static Stream<Arguments> news() {
        return Stream.of(Arguments.of("en", Samples.EN_NEWS), Arguments.of("fr", Samples.FR_NEWS),
                Arguments.of("es", Samples.ES_NEWS), Arguments.of("ru", Samples.RU_NEWS),
                Arguments.of("zh", Samples.ZH_NEWS), Arguments.of("ja", Samples.JA_NEWS));
    }

    @Test
    void defaultModeIsLexicalV2WithQualityAndPii() {
        assertThat(filter.mode()).isEqualTo("lexical-v2");
        assertThat(filter.version()).isEqualTo("lexical-v2-1+q1+pii1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("medical")
    void clinicalNoteIsAcceptedByTheDefaultModeWithItsScores(String lang, String text) {
        FilterVerdict verdict = filter.classify(text, null);

        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.lang()).isEqualTo(lang);
        assertThat(verdict.reasons()).isEmpty();
        assertThat(verdict.scores()).containsKeys(ScoreNames.LANG_CONFIDENCE, ScoreNames.TERM_COUNT,
                ScoreNames.RELEVANCE_EVIDENCE, ScoreNames.RELEVANCE_DENSITY, ScoreNames.Q_WORDS, ScoreNames.PII_EMAIL,
                ScoreNames.PII_PHONE, ScoreNames.PII_IP, ScoreNames.PII_ID);
        assertThat(verdict.text()).isEqualTo(text); // nothing to mask
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("news")
    void newsItemIsDroppedAsNotMedicalByTheDefaultMode(String lang, String text) {
        FilterVerdict verdict = filter.classify(text, null);

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.lang()).isEqualTo(lang);
        assertThat(verdict.reasons()).containsExactly("not_medical");
        assertThat(verdict.scores()).containsKeys(ScoreNames.RELEVANCE_EVIDENCE, ScoreNames.RELEVANCE_DENSITY)
                .doesNotContainKey(ScoreNames.PII_EMAIL);
        assertThat(verdict.text()).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("medical")
    void clinicalNoteIsAcceptedByThePapersMethodWithItsKeywordScores(String lang, String text) {
        FilterVerdict verdict = paper.classify(text, null);

        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.lang()).isEqualTo(lang);
        assertThat(verdict.scores()).containsKeys(ScoreNames.LANG_CONFIDENCE, ScoreNames.KEYWORD_COUNT,
                ScoreNames.KEYWORD_DENSITY);
        RelevanceThresholds t = paper.thresholds(lang);
        assertThat(verdict.scores().get(ScoreNames.KEYWORD_COUNT)).isGreaterThanOrEqualTo(t.minKeywords());
        assertThat(verdict.scores().get(ScoreNames.KEYWORD_DENSITY)).isGreaterThanOrEqualTo(t.minDensity());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("news")
    void newsItemIsDroppedByThePapersMethod(String lang, String text) {
        FilterVerdict verdict = paper.classify(text, null);

        assertThat(verdict.reasons()).containsExactly("not_medical");
        assertThat(verdict.scores()).containsKeys(ScoreNames.KEYWORD_COUNT, ScoreNames.KEYWORD_DENSITY);
    }

    @Test
    void inflectedClinicalTextThatThePapersMethodMissesIsAcceptedByTheDefault() {
        // Russian case endings: the paper's base-form keywords find almost nothing here.
        String text = "Больного с острым инфарктом миокарда госпитализировали в кардиологическое отделение."
                + " У пациента отмечались одышка, боли в груди и повышение артериального давления; назначены"
                + " антикоагулянты и бета-блокаторы, проведена коронарография со стентированием артерии.";

        assertThat(paper.classify(text, null).reasons()).containsExactly("not_medical");
        assertThat(filter.classify(text, null).accepted()).isTrue();
    }

    @Test
    void acceptedTextHasItsPersonalDataMaskedAndCounted() {
        String text = Samples.EN_MEDICAL + " Contact the ward at +44 20 7946 0958 or ward7@example.org.";

        FilterVerdict verdict = filter.classify(text, null);

        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.text()).endsWith("Contact the ward at <PHONE> or <EMAIL>.");
        assertThat(verdict.scores()).containsEntry(ScoreNames.PII_PHONE, 1.0).containsEntry(ScoreNames.PII_EMAIL,
                1.0);
        assertThat(verdict.textOr("ignored")).isEqualTo(verdict.text());
    }

    @Test
    void qualityReasonsComeFirstAndRelevanceIsStillReported() {
        String spam = "The best clinic in the city is open on Sunday. ".repeat(30);

        FilterVerdict verdict = filter.classify(spam, null);

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.reasons()).contains("quality_repetition").endsWith("not_medical");
        assertThat(verdict.primaryReason()).startsWith("quality_");
    }

    @Test
    void withQualityAndPiiOffTheVersionSaysSo() {
        assertThat(paper.version()).isEqualTo("mmedc-1");
        assertThat(paper.classify(Samples.EN_MEDICAL + " Mail a@b.org now.", null).text()).endsWith("a@b.org now.");
    }

    @Test
    void thresholdsPerLanguageAreThePapersInMmedcMode() {
        assertThat(paper.thresholds("en")).isEqualTo(new RelevanceThresholds(5, 0.04));
        assertThat(paper.thresholds("zh")).isEqualTo(new RelevanceThresholds(5, 0.05));
        assertThat(paper.thresholds("ja")).isEqualTo(new RelevanceThresholds(5, 0.05));
        assertThat(paper.thresholds("ru")).isEqualTo(new RelevanceThresholds(4, 0.02));
        assertThat(paper.thresholds("es")).isEqualTo(new RelevanceThresholds(4, 0.04));
        assertThat(paper.thresholds("fr")).isEqualTo(new RelevanceThresholds(4, 0.04));
    }

    @Test
    void keywordCountThresholdDecidesPerLanguageInMmedcMode() {
        // Four distinct keywords, dense: enough for Spanish (T = 4) ...
        String es = "El paciente con fiebre y tos recibió un antibiótico y el paciente mejoró después de dos días.";
        // ... while the same four in English stay below English's T = 5.
        String en = "The patient with fever and cough got an antibiotic, and the patient was better after two days.";

        FilterVerdict spanish = paper.classify(es, null);
        FilterVerdict english = paper.classify(en, null);

        assertThat(spanish.scores()).containsEntry(ScoreNames.KEYWORD_COUNT, 4.0);
        assertThat(spanish.accepted()).isTrue();
        assertThat(english.scores()).containsEntry(ScoreNames.KEYWORD_COUNT, 4.0);
        assertThat(english.reasons()).containsExactly("not_medical");
    }

    @Test
    void densityThresholdDecidesEvenWithEnoughKeywordsInMmedcMode() {
        // Five distinct keywords once each, diluted in a long non-medical text: count passes, density fails.
        String filler = " The committee discussed the harbour, the railway timetable and the autumn festival.".repeat(12);
        String text = "A patient with fever, cough and diabetes left the hospital." + filler;

        FilterVerdict verdict = paper.classify(text, null);

        assertThat(verdict.scores().get(ScoreNames.KEYWORD_COUNT)).isGreaterThanOrEqualTo(5.0);
        assertThat(verdict.scores().get(ScoreNames.KEYWORD_DENSITY)).isLessThan(0.04);
        assertThat(verdict.reasons()).containsExactly("not_medical");
    }

    @Test
    void configuredThresholdOverridesALanguagesDefaultAndMarkTheVersion() {
        DocumentFilter stricter = new DocumentFilter(FilterSettings.builder().relevanceMode("mmedc")
                .qualityEnabled(false).piiMasking(false).minKeywords("es", 5).build());
        String es = "El paciente con fiebre y tos recibió un antibiótico y el paciente mejoró después de dos días.";

        assertThat(stricter.thresholds("es")).isEqualTo(new RelevanceThresholds(5, 0.04));
        assertThat(stricter.thresholds("en")).isEqualTo(new RelevanceThresholds(5, 0.04));
        assertThat(stricter.classify(es, null).reasons()).containsExactly("not_medical");
        assertThat(stricter.version()).isEqualTo("mmedc-1+custom");
    }

    @Test
    void aThresholdOfTheOtherModeIsAConfigurationError() {
        assertThatThrownBy(() -> new DocumentFilter(FilterSettings.builder().minKeywords("en", 3).build()))
                .isInstanceOf(FilterException.class).hasMessageContaining("min-keywords is an mmedc threshold");
        assertThatThrownBy(() -> new DocumentFilter(FilterSettings.builder().relevanceMode("mmedc")
                .minEvidence("en", 3).build()))
                .isInstanceOf(FilterException.class).hasMessageContaining("min-evidence is a lexical-v2 threshold");
    }

    @Test
    void unknownRelevanceModeIsAConfigurationError() {
        assertThatThrownBy(() -> new DocumentFilter(FilterSettings.builder().relevanceMode("nope").build()))
                .isInstanceOf(FilterException.class).hasMessageContaining("unknown relevance mode 'nope'");
    }

    @Test
    void thresholdForALanguageNotConfiguredIsAConfigurationError() {
        assertThatThrownBy(() -> new DocumentFilter(FilterSettings.builder().minDensity("de", 0.1).build()))
                .isInstanceOf(FilterException.class).hasMessageContaining("'de'");
    }

    @Test
    void languageWithoutLexiconIsAConfigurationError() {
        assertThatThrownBy(() -> new DocumentFilter(FilterSettings.builder().languages(List.of("en", "sw")).build()))
                .isInstanceOf(FilterException.class).hasMessageContaining("no lexicon for language 'sw'");
    }

    @Test
    void verdictsAreTheSameFromManyThreads() throws Exception {
        List<String> texts = List.of(Samples.EN_MEDICAL, Samples.FR_NEWS, Samples.ZH_MEDICAL, Samples.RU_NEWS,
                Samples.JA_MEDICAL, Samples.IT_TEXT, Samples.ES_MEDICAL, Samples.RU_MEDICAL);
        List<FilterVerdict> expected = texts.stream().map(t -> filter.classify(t, null)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<FilterVerdict>>> runs = Stream.generate(
                    () -> pool.submit(() -> texts.stream().map(t -> filter.classify(t, null)).toList()))
                    .limit(8).toList();
            for (Future<List<FilterVerdict>> run : runs) {
                assertThat(run.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
