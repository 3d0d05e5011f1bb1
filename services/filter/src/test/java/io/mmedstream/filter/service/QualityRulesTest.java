package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mmedstream.filter.domain.ScoreNames;

/** Each quality rule on texts written for this test: one that breaks it, one that does not. */
class QualityRulesTest {

    private static final QualityRules EN = new QualityRules(QualitySettings.defaults(), QualityProfile.load("en"));
    private static final QualityRules FR = new QualityRules(QualitySettings.defaults(), QualityProfile.load("fr"));
    private static final QualityRules ZH = new QualityRules(QualitySettings.defaults(), QualityProfile.load("zh"));

    /** A plain English clinical paragraph of about 60 words that breaks no rule. */
    private static final String PROSE = "A 64-year-old man was admitted with fever and a productive cough that had"
            + " lasted for five days. He had a history of hypertension and type 2 diabetes. On examination his"
            + " temperature was 38.6 C and there were crackles at the right lung base. The chest radiograph showed"
            + " a consolidation, and he was treated with intravenous antibiotics with a good response.";

    @Test
    void ordinaryClinicalProsePassesEveryRule() {
        QualityReport report = EN.evaluate(PROSE);

        assertThat(report.failed()).isEmpty();
        assertThat(report.metrics()).containsKeys(ScoreNames.Q_WORDS, ScoreNames.Q_MEAN_WORD_LENGTH,
                ScoreNames.Q_SYMBOL_RATIO, ScoreNames.Q_DIGIT_RATIO, ScoreNames.Q_ALPHA_WORD_SHARE,
                ScoreNames.Q_STOPWORDS, ScoreNames.Q_BOILERPLATE_SHARE, ScoreNames.Q_DUP_LINE_SHARE,
                ScoreNames.topNgramShare(2), ScoreNames.dupNgramShare(10));
    }

    @Test
    void labReportWithShortLinesAndValuesIsNotDropped() {
        String labs = """
                Admission laboratory results were reviewed with the patient and the family.
                Haemoglobin 9.8 g/dL, white cell count 14.2 x10^9/L, platelets 420 x10^9/L.
                Sodium 131 mmol/L, potassium 5.6 mmol/L, creatinine 210 umol/L, urea 18 mmol/L.
                CRP 156 mg/L. Lactate 2.4 mmol/L. Blood pressure 95/60 mmHg, heart rate 112/min.
                The results were consistent with sepsis and an acute kidney injury, and fluids were started.
                """;

        assertThat(EN.evaluate(labs).failed()).isEmpty();
    }

    @Test
    void tooFewWordsAndTooManyWords() {
        QualitySettings tight = new QualitySettings(true, 15, 40, 3, 12, 0.1, 0.1, 0.3, 0.6, 2, 4, 0.9, 0.3, 0.3,
                0.3, 0.2, 0.3, 0.2, List.of(0.2, 0.18, 0.16), List.of(0.15, 0.14, 0.13, 0.12, 0.11, 0.1), 50, 2);
        QualityRules rules = new QualityRules(tight, QualityProfile.load("en"));

        assertThat(rules.evaluate("The patient was seen in the clinic today.").failed())
                .contains("quality_too_few_words");
        assertThat(rules.evaluate(PROSE).failed()).contains("quality_too_long");
        assertThat(rules.evaluate(PROSE.substring(0, 200)).failed()).isEmpty();
    }

    @Test
    void meanWordLengthOutOfBounds() {
        String shortWords = "a b c d e f g h i j k l m n o p q r s t u v w x y z the and of to in is it".repeat(2);
        String longWords = "pneumonoultramicroscopicsilicovolcanoconiosis extraordinarilylongwordsequence and of the "
                .repeat(8);

        assertThat(EN.evaluate(shortWords).failed()).contains("quality_word_length");
        assertThat(EN.evaluate(longWords).failed()).contains("quality_word_length");
        assertThat(EN.evaluate(PROSE).failed()).doesNotContain("quality_word_length");
    }

    @Test
    void symbolRatioCatchesMarkupAndHashtags() {
        String markup = "{{infobox}} [[link]] ** __ || ## the and of the patient ## ** {{ }} [[ ]] @@ "
                .repeat(4);
        String hashtags = "#health #fever #cough #care of the and #doctor #clinic #news #pain #flu #help to the"
                .repeat(3);

        assertThat(EN.evaluate(markup).failed()).contains("quality_symbol_ratio");
        assertThat(EN.evaluate(hashtags).failed()).contains("quality_symbol_ratio");
        assertThat(EN.evaluate(PROSE + " Temperature 38.5 °C, SpO2 ≥ 94%, dose 5 mg × 2.").failed())
                .doesNotContain("quality_symbol_ratio");
    }

    @Test
    void digitRatioCatchesTablesOfNumbersButNotLabValuesInProse() {
        String table = "the values of the series are 12345 67890 13579 24680 11223 34455 66778 89900 "
                .repeat(6);

        assertThat(EN.evaluate(table).failed()).contains("quality_digit_ratio");
        assertThat(EN.evaluate(PROSE).metrics().get(ScoreNames.Q_DIGIT_RATIO)).isLessThan(0.1);
    }

    @Test
    void alphaWordShareCatchesNumberListsWithFewWords() {
        String list = "the and of 1.1 2.2 3.3 4.4 5.5 6.6 7.7 8.8 9.9 1.0 2.0 3.0 4.0 5.0 6.0 7.0 8.0 9.0 "
                .repeat(2);

        assertThat(EN.evaluate(list).failed()).contains("quality_alpha_words");
        assertThat(EN.evaluate(PROSE).failed()).doesNotContain("quality_alpha_words");
    }

    @Test
    void keywordListsWithoutFunctionWordsAreNotProse() {
        String keywords = "fever cough pneumonia antibiotic hospital doctor nurse clinic diagnosis treatment therapy"
                + " symptoms influenza vaccine medicine pharmacy";

        assertThat(EN.evaluate(keywords).failed()).contains("quality_no_stopwords");
        assertThat(FR.evaluate("Le patient est hospitalisé pour une pneumonie et reçoit des antibiotiques depuis"
                + " trois jours dans le service de médecine interne.").failed()).doesNotContain("quality_no_stopwords");
    }

    @Test
    void mostlyBulletLinesAndEllipsisLines() {
        String bullets = "• fever of the patient\n• cough and pain\n• fatigue of the body\n• headache and nausea\n"
                + "• rash on the arm\n";
        String teasers = "Read the story of the new clinic...\nThe doctor said that the...\nIn the ward a nurse...\n"
                + "A new drug for the...\nThe patients of the ward are well.\n";

        assertThat(EN.evaluate(bullets).failed()).contains("quality_bullet_lines");
        assertThat(EN.evaluate(teasers).failed()).contains("quality_ellipsis_lines");
        assertThat(EN.evaluate(PROSE).failed()).doesNotContain("quality_bullet_lines", "quality_ellipsis_lines");
    }

    @Test
    void boilerplateLinesAndNavigation() {
        String page = """
                Home | News | Health | Contact
                We use cookies to improve your experience. Accept all cookies
                Sign in to read the rest of the article
                The clinic opened a new ward for the patients of the town.
                Privacy policy | Terms of use
                """;

        assertThat(EN.evaluate(page).failed()).contains("quality_boilerplate");
        assertThat(EN.evaluate(PROSE + "\n" + PROSE.replace("man", "woman") + "\nPrivacy policy\n" + PROSE
                .replace("64", "70") + "\n" + PROSE.replace("five", "six")).failed())
                .doesNotContain("quality_boilerplate");
        assertThat(EN.evaluate("Lorem ipsum dolor sit amet. " + PROSE).failed()).contains("quality_boilerplate");
    }

    @Test
    void repeatedLinesParagraphsAndNgrams() {
        String lines = "Call the nurse of the ward.\n".repeat(5) + PROSE;
        String paragraphs = PROSE + "\n\n" + PROSE + "\n\n" + PROSE;
        String ngrams = ("the best clinic in the city ").repeat(12) + PROSE;

        assertThat(EN.evaluate(lines).failed()).contains("quality_repetition");
        assertThat(EN.evaluate(paragraphs).failed()).contains("quality_repetition");
        assertThat(EN.evaluate(ngrams).failed()).contains("quality_repetition");
        assertThat(EN.evaluate(PROSE).metrics().get(ScoreNames.dupNgramShare(5))).isZero();
    }

    @Test
    void nGramRulesWaitForLongEnoughTexts() {
        // An exam question with its options repeats a phrase; at 30 words it is not judged on n-grams.
        String question = "Which drug is used first in the treatment of the disease? A. the first drug of choice"
                + " B. the second drug of choice C. the third drug of choice D. none";

        assertThat(EN.evaluate(question).failed()).doesNotContain("quality_repetition");
    }

    @Test
    void chineseIsJudgedOnCharactersAndFunctionCharacters() {
        String note = "患者男性，六十岁，因咳嗽、发热三天到医院门诊就诊。既往有糖尿病和高血压病史。医生查体后安排了血常规和"
                + "胸部检查，诊断为肺炎，给予抗生素治疗，症状明显好转。";
        String repeated = "领取优惠券免费送礼品".repeat(20);

        QualityReport ok = ZH.evaluate(note);
        assertThat(ok.failed()).isEmpty();
        assertThat(ok.metrics()).doesNotContainKeys(ScoreNames.Q_MEAN_WORD_LENGTH, ScoreNames.Q_ALPHA_WORD_SHARE);
        assertThat(ok.metrics().get(ScoreNames.Q_WORDS)).isEqualTo(note.codePoints()
                .filter(Character::isLetterOrDigit).count());
        assertThat(ZH.evaluate(repeated).failed()).contains("quality_repetition", "quality_no_stopwords");
        // A one-line text holding a boilerplate phrase is not page furniture (too few lines to tell).
        assertThat(ZH.evaluate("请问医生，点击这里看不到化验单，" + note).failed()).isEmpty();
    }

    @Test
    void everyLanguageHasAProfile() {
        for (String lang : Set.of("en", "fr", "es", "ru", "zh", "ja")) {
            QualityProfile p = QualityProfile.load(lang);
            assertThat(p.stopwords()).as(lang).isNotEmpty();
            assertThat(p.boilerplate()).as(lang).isNotEmpty();
            assertThat(p.characters()).as(lang).isEqualTo(lang.equals("zh") || lang.equals("ja"));
        }
    }
}
