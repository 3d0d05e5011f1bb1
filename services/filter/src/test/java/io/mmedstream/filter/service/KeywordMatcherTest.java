package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

class KeywordMatcherTest {

    private static KeywordMatcher words(String... keywords) {
        return new WordKeywordMatcher(List.of(keywords));
    }

    private static KeywordMatcher substrings(String... keywords) {
        return new SubstringKeywordMatcher(List.of(keywords));
    }

    @Test
    void keywordCountCountsDistinctKeywordsWhileDensityCountsEveryOccurrence() {
        KeywordScore once = words("fever", "cough").score("fever and cough");
        KeywordScore repeated = words("fever", "cough").score("fever fever fever and cough");

        assertThat(once.distinctKeywords()).isEqualTo(2);
        assertThat(repeated.distinctKeywords()).isEqualTo(2);
        assertThat(repeated.occurrences()).containsEntry("fever", 3).containsEntry("cough", 1);
        assertThat(repeated.matchedLength()).isEqualTo(3 * 5 + 5);
    }

    @Test
    void densityIsOccurrencesTimesKeywordLengthOverTextLength() {
        // 42 code points; "patient" (7) twice, "fever" (5) once, "blood pressure" (14) once:
        // (2 x 7 + 5 + 14) / 42 = 33 / 42
        String text = "Patient: fever, blood pressure; patient ok";
        assertThat(text.codePointCount(0, text.length())).isEqualTo(42);

        KeywordScore score = words("patient", "fever", "blood pressure", "cough").score(text);

        assertThat(score.distinctKeywords()).isEqualTo(3);
        assertThat(score.textLength()).isEqualTo(42);
        assertThat(score.density()).isCloseTo(33.0 / 42.0, within(1e-12));
    }

    @Test
    void substringMatchingFindsKeywordsInUnsegmentedChinese() {
        String text = "患者因咳嗽发热入院，既往有高血压和糖尿病，诊断为肺炎。"; // 27 code points, no spaces

        KeywordScore score = substrings("患者", "咳嗽", "发热", "血压", "糖尿病", "肺炎", "骨折").score(text);

        assertThat(score.occurrences()).containsOnlyKeys("患者", "咳嗽", "发热", "血压", "糖尿病", "肺炎");
        assertThat(score.distinctKeywords()).isEqualTo(6);
        assertThat(score.density()).isCloseTo((2 + 2 + 2 + 2 + 3 + 2) / 27.0, within(1e-12));
    }

    @Test
    void substringMatchingFindsKeywordsInUnsegmentedJapanese() {
        String text = "患者は発熱と咳嗽を主訴に受診し、肺炎と診断された。肺炎の治療を開始した。";

        KeywordScore score = substrings("患者", "発熱", "咳嗽", "主訴", "肺炎", "診断", "治療", "骨折").score(text);

        assertThat(score.distinctKeywords()).isEqualTo(7);
        assertThat(score.occurrences()).containsEntry("肺炎", 2).doesNotContainKey("骨折");
    }

    @Test
    void wholeWordMatchingWouldMissTheSameChineseKeywords() {
        // The defect of the released filter: CJK has no spaces, so word matching finds nothing.
        String text = "患者因咳嗽发热入院，既往有高血压和糖尿病，诊断为肺炎。";

        assertThat(words("患者", "咳嗽", "肺炎").score(text).distinctKeywords()).isZero();
    }

    @Test
    void substringOccurrencesOfOneKeywordDoNotOverlapButDifferentKeywordsMayShareText() {
        KeywordScore score = substrings("aa", "ab").score("aaab");

        assertThat(score.occurrences()).containsEntry("aa", 1).containsEntry("ab", 1);
    }

    @Test
    void substringMatchingFindsKeywordsThatEndInsideOtherKeywords() {
        // Aho-Corasick failure links: "血压" ends inside "高血压值"; both counted, as each keyword counts alone.
        KeywordScore score = substrings("高血压值", "血压").score("他的高血压值很高");

        assertThat(score.occurrences()).containsEntry("高血压值", 1).containsEntry("血压", 1);
    }

    @Test
    void substringMatchingIsCaseInsensitive() {
        assertThat(substrings("b超", "x光").score("做了B超和X光检查").distinctKeywords()).isEqualTo(2);
    }

    @Test
    void wholeWordMatchingDoesNotMatchInsideLongerWords() {
        KeywordScore score = words("pain", "ward", "ulcer").score(
                "The painting hung awkwardly in the hallway; the painter was wary of ulcerative remarks.");

        assertThat(score.distinctKeywords()).isZero();
    }

    @Test
    void wholeWordMatchingIsCaseInsensitiveAndFindsWordsNextToPunctuation() {
        KeywordScore score = words("patient", "mri", "hôpital").score(
                "The PATIENT's MRI (done at l'Hôpital) was normal.");

        assertThat(score.occurrences()).containsOnlyKeys("patient", "mri", "hôpital");
    }

    @Test
    void multiWordKeywordsMatchAcrossSpacesAndHyphensButNotAcrossSentences() {
        KeywordMatcher matcher = words("blood pressure", "x-ray");

        assertThat(matcher.score("Blood   pressure and blood-pressure; an x ray.").occurrences())
                .containsEntry("blood pressure", 2).containsEntry("x-ray", 1);
        assertThat(matcher.score("We lost blood. Pressure rose.").distinctKeywords()).isZero();
    }

    @Test
    void russianYoAndYeAreTheSameLetter() {
        KeywordScore score = words("отек", "новорожденный").score("Отёк у новорождённый и отек");

        assertThat(score.occurrences()).containsEntry("отек", 2).containsEntry("новорожденный", 1);
    }

    @Test
    void emptyTextHasNoKeywordsAndZeroDensity() {
        assertThat(words("fever").score("").density()).isZero();
        assertThat(substrings("发热").score("").density()).isZero();
    }
}
