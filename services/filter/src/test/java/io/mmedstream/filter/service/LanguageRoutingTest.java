package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.domain.ScoreNames;

class LanguageRoutingTest {

    private final DocumentFilter filter = Samples.defaultFilter();

    static Stream<Arguments> paragraphs() {
        return Stream.of(
                Arguments.of("en", Samples.EN_MEDICAL), Arguments.of("en", Samples.EN_NEWS),
                Arguments.of("fr", Samples.FR_MEDICAL), Arguments.of("fr", Samples.FR_NEWS),
                Arguments.of("es", Samples.ES_MEDICAL), Arguments.of("es", Samples.ES_NEWS),
                Arguments.of("ru", Samples.RU_MEDICAL), Arguments.of("ru", Samples.RU_NEWS),
                Arguments.of("zh", Samples.ZH_MEDICAL), Arguments.of("zh", Samples.ZH_NEWS),
                Arguments.of("ja", Samples.JA_MEDICAL), Arguments.of("ja", Samples.JA_NEWS));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("paragraphs")
    void detectsEachConfiguredLanguageOnAShortParagraph(String lang, String text) {
        FilterVerdict verdict = filter.classify(text, null);

        assertThat(verdict.lang()).isEqualTo(lang);
        assertThat(verdict.reasons()).doesNotContain("language_unsupported", "too_short");
        assertThat(verdict.scores().get(ScoreNames.LANG_CONFIDENCE)).isGreaterThan(0.02);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherLanguages")
    void paragraphInALanguageNotConfiguredIsLanguageUnsupported(String name, String text) {
        FilterVerdict verdict = filter.classify(text, null);

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.lang()).isEqualTo(FilterVerdict.OTHER_LANGUAGE);
        assertThat(verdict.reasons()).containsExactly("language_unsupported");
    }

    static Stream<Arguments> otherLanguages() {
        return Stream.of(Arguments.of("Italian", Samples.IT_TEXT), Arguments.of("German", Samples.DE_TEXT),
                Arguments.of("Portuguese", Samples.PT_TEXT), Arguments.of("Catalan", Samples.CA_TEXT),
                Arguments.of("Dutch", Samples.NL_TEXT), Arguments.of("Polish", Samples.PL_TEXT),
                Arguments.of("Ukrainian", Samples.UK_TEXT), Arguments.of("Bulgarian", Samples.BG_TEXT),
                Arguments.of("Arabic", Samples.AR_TEXT),
                Arguments.of("Korean", "환자는 고열과 복통으로 병원에 입원하였다. 혈액 검사에서 백혈구 수치가 증가하였고 복부 초음파에서"
                        + " 충수염이 의심되었다."));
    }

    @Test
    void textInAScriptOfNoConfiguredLanguageIsUnsupportedWithItsScriptShare() {
        FilterVerdict verdict = filter.classify(Samples.AR_TEXT, null);

        assertThat(verdict.scores()).containsEntry(ScoreNames.SUPPORTED_SCRIPT_SHARE, 0.0)
                .doesNotContainKey(ScoreNames.KEYWORD_COUNT);
    }

    @Test
    void tinyTextIsTooShortWithoutAGuessedLanguage() {
        FilterVerdict verdict = filter.classify("Patient has fever.", "en");

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.reasons()).containsExactly("too_short");
        assertThat(verdict.lang()).isNull();
        assertThat(verdict.scores()).containsEntry(ScoreNames.CHAR_COUNT, 18.0);
    }

    @Test
    void longTextWithTooFewLettersIsTooShort() {
        FilterVerdict verdict = filter.classify("12.5 / 13.1 / 14.0 / 15.2 / 16.7 / 17.3 / 18.8 / 19.9 / mg", null);

        assertThat(verdict.reasons()).containsExactly("too_short");
        assertThat(verdict.scores()).containsEntry(ScoreNames.LETTER_COUNT, 2.0);
    }

    @Test
    void japaneseWithKanjiAndKanaIsJapaneseEvenWhenKanjiDominate() {
        String kanjiHeavy = "既往歴：高血圧症、糖尿病、脂質異常症。現病歴：胸痛を主訴に救急外来受診。心電図で急性心筋梗塞と診断。";

        assertThat(filter.classify(kanjiHeavy, null).lang()).isEqualTo("ja");
        assertThat(filter.classify(Samples.JA_MEDICAL, null).lang()).isEqualTo("ja");
    }

    @Test
    void chineseWithHanOnlyIsChineseAlsoInTraditionalScript() {
        assertThat(filter.classify(Samples.ZH_MEDICAL, null).lang()).isEqualTo("zh");
        assertThat(filter.classify("這位患者的血壓很高，醫生建議他每天服用降壓藥，並且定期回到醫院複查，注意飲食和休息，避免過度勞累，"
                + "如果出現頭暈或胸悶要及時就診。", null)
                .lang()).isEqualTo("zh");
    }

    @Test
    void chineseBorrowingASingleKanaIsStillChinese() {
        // Chinese web text often writes の for 的; Lingua alone would call any kana Japanese.
        String text = "我の血压最近很高，医生建议我每天服用降压药，并且定期去医院复查，注意饮食清淡，少吃盐，多运动，"
                + "如果头晕就要马上去看医生。";

        assertThat(filter.classify(text, null).lang()).isEqualTo("zh");
    }

    @Test
    void russianLeafletCitingLatinNamesIsRussian() {
        String text = "Тинидазол - противопротозойное и противомикробное средство. Активен в отношении Trichomonas"
                + " vaginalis, Giardia lamblia, Entamoeba histolytica и анаэробных бактерий, в том числе Bacteroides"
                + " fragilis и Clostridium perfringens. Применяется при инфекциях, вызванных чувствительными"
                + " микроорганизмами.";

        assertThat(filter.classify(text, null).lang()).isEqualTo("ru");
    }

    @Test
    void englishTextQuotingSomeChineseIsEnglish() {
        String text = Samples.EN_MEDICAL + " The discharge letter used the term 肺炎.";

        assertThat(filter.classify(text, null).lang()).isEqualTo("en");
    }

    @Test
    void declaredLanguageSettlesAnAmbiguousDetectionButNeverOverridesTheCandidates() {
        // Demanding a margin no Latin-script text reaches makes every such detection ambiguous.
        // (Function words decide only with a 4-fold lead, never ambiguously: this is about Lingua, so they are off.)
        DocumentFilter strict = new DocumentFilter(FilterSettings.builder().minLanguageConfidence(1.0)
                .functionWordCheck(false).build());

        FilterVerdict undeclared = strict.classify(Samples.FR_MEDICAL, null);
        FilterVerdict declared = strict.classify(Samples.FR_MEDICAL, "fr-FR");
        FilterVerdict implausible = strict.classify(Samples.FR_MEDICAL, "ru");

        assertThat(undeclared.lang()).isEqualTo(FilterVerdict.OTHER_LANGUAGE);
        assertThat(declared.lang()).isEqualTo("fr");
        assertThat(declared.accepted()).isTrue();
        assertThat(declared.scores()).containsEntry(ScoreNames.DECLARED_LANG_USED, 1.0);
        assertThat(implausible.lang()).isEqualTo(FilterVerdict.OTHER_LANGUAGE);
    }

    @Test
    void aClearDetectionIgnoresAContradictingDeclaration() {
        FilterVerdict verdict = filter.classify(Samples.EN_MEDICAL, "es");

        assertThat(verdict.lang()).isEqualTo("en");
        assertThat(verdict.scores()).doesNotContainKey(ScoreNames.DECLARED_LANG_USED);
    }

    @Test
    void languagesLeftOutOfTheConfigurationAreOther() {
        DocumentFilter noJapanese = new DocumentFilter(FilterSettings.builder()
                .languages(java.util.List.of("en", "zh")).build());

        assertThat(noJapanese.classify(Samples.JA_MEDICAL, null).lang()).isEqualTo(FilterVerdict.OTHER_LANGUAGE);
        assertThat(noJapanese.classify(Samples.RU_MEDICAL, null).lang()).isEqualTo(FilterVerdict.OTHER_LANGUAGE);
        assertThat(noJapanese.classify(Samples.ZH_MEDICAL, null).lang()).isEqualTo("zh");
    }
}
