package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.StringReader;
import java.lang.Character.UnicodeScript;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mmedstream.filter.domain.ScoreNames;
import io.mmedstream.filter.service.TermLexicon.Matching;
import io.mmedstream.filter.service.TermLexicon.Term;
import io.mmedstream.filter.service.TermLexicon.Thresholds;

/** The lexical-v2 scoring: evidence, density, clinical patterns, the dense rule and length-aware evidence. */
class WeightedRelevanceTest {

    private static final List<Term> TERMS = List.of(new Term("fever", 1), new Term("pneumonia", 2),
            new Term("hospital", 0.5), new Term("antibiotic", 1.5));

    private static WeightedRelevance relevance(double minEvidence, double minDensity, Thresholds dense, int length,
            ClinicalPatterns patterns) {
        return new WeightedRelevance(new TermLexicon("t", "en", Matching.STEM, "english", Set.of(UnicodeScript.LATIN),
                minEvidence, minDensity, dense, length, TERMS), patterns, minEvidence, minDensity);
    }

    private static ClinicalPatterns patterns() throws Exception {
        return ClinicalPatterns.parse("t", new StringReader("""
                # test patterns
                dose 1.5: mg | ml | мг | 毫克
                lab 2: mmol/l | ммоль/л
                pressure 2: mmHg | мм рт. ст
                """));
    }

    @Test
    void evidenceSumsTheWeightsOfDistinctTermsAndDensityWeighsEveryOccurrence() {
        WeightedRelevance r = relevance(0, 0, null, 0, new ClinicalPatterns(List.of()));

        // 10 tokens: fever x2 (w 1), pneumonia (w 2), hospital (w 0.5)
        WeightedRelevance.Result result = r.score("Fever, fever and pneumonia: sent to the hospital at once.");

        assertThat(result.distinctTerms()).isEqualTo(3);
        assertThat(result.evidence()).isEqualTo(3.5);
        assertThat(result.units()).isEqualTo(10);
        assertThat(result.density()).isCloseTo((2 * 1 + 2 + 0.5) / 10.0, within(1e-12));
    }

    @Test
    void clinicalPatternsCountOncePerClassForEvidenceAndPerOccurrenceForDensity() throws Exception {
        WeightedRelevance r = relevance(0, 0, null, 0, patterns());

        WeightedRelevance.Result result = r.score("Took 500 mg then 250mg; BP 120/80 mmHg; glucose 5.4 mmol/L.");

        assertThat(result.patternOccurrences()).isEqualTo(4);
        assertThat(result.evidence()).isEqualTo(1.5 + 2 + 2);
    }

    @Test
    void patternsFindRussianAndChineseUnitsButNotUnitsInsideWords() throws Exception {
        int[] counts = new int[3];

        patterns().count("Доза 5 мг, глюкоза 5,4 ммоль/л, АД 140/90 мм рт. ст.; 口服500毫克。 5 mlx 3 mgx", counts);

        assertThat(counts).containsExactly(2, 1, 1);
    }

    @Test
    void aUnitCountsOnlyAfterAWholeNumberNeverAfterTheTailOfALongerOne() throws Exception {
        int[] counts = new int[3];

        // "1,500 mg" and "2.5mg" are one dose each; "x1 mg" (a digit after a letter) starts a number; "7 mmHg" in
        // "3.5.7 mmHg" is the tail of a number, "80 mmHg" in "120/80 mmHg" is not.
        patterns().count("1,500 mg; 2.5mg; x1 mg; 3.5.7 mmHg; 12 345 ml; 120/80 mmHg", counts);

        assertThat(counts).containsExactly(4, 0, 1);
    }

    @Test
    void mainRuleNeedsBothEvidenceAndDensity() {
        WeightedRelevance r = relevance(3, 0.1, null, 0, new ClinicalPatterns(List.of()));
        Map<String, Double> scores = new LinkedHashMap<>();

        boolean medical = r.test("Pneumonia with fever, given an antibiotic.", scores);
        boolean diluted = r.test("Pneumonia with fever, given an antibiotic. " + "The town fair opened today. "
                .repeat(10), new LinkedHashMap<>());

        assertThat(medical).isTrue();
        assertThat(scores).containsEntry(ScoreNames.RELEVANCE_EVIDENCE, 4.5).containsKeys(ScoreNames.TERM_COUNT,
                ScoreNames.PATTERN_COUNT, ScoreNames.RELEVANCE_DENSITY);
        assertThat(diluted).isFalse();
    }

    @Test
    void denseRuleAcceptsAShortTextThatNamesFewThingsButLittleElse() {
        WeightedRelevance withDense = relevance(6, 0.04, new Thresholds(3, 0.2), 0, new ClinicalPatterns(List.of()));
        WeightedRelevance without = relevance(6, 0.04, null, 0, new ClinicalPatterns(List.of()));
        String text = "Pneumonia: fever, antibiotic."; // evidence 4.5 < 6, but three terms in three tokens

        assertThat(without.test(text, new LinkedHashMap<>())).isFalse();
        assertThat(withDense.test(text, new LinkedHashMap<>())).isTrue();
    }

    @Test
    void shortTextsNeedProportionallyLessEvidenceDownToTheDenseRulesEvidence() {
        WeightedRelevance r = relevance(6, 0.04, new Thresholds(3, 0.5), 100, new ClinicalPatterns(List.of()));

        assertThat(r.requiredEvidence(200)).isEqualTo(6.0);
        assertThat(r.requiredEvidence(100)).isEqualTo(6.0);
        assertThat(r.requiredEvidence(75)).isEqualTo(4.5);
        assertThat(r.requiredEvidence(20)).isEqualTo(3.0);
    }
}
