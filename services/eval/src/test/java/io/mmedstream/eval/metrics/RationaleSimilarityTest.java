package io.mmedstream.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RationaleSimilarityTest {

    private static final double EPS = 1e-12;

    /**
     * Reference "the cat sat on the mat" (r = 6), candidate "the cat on the mat" (c = 5), worked out by hand:
     * unigrams 5 of 5 match (the x2, cat, on, mat); bigrams the-cat, on-the, the-mat match, cat-on does not: 3/4;
     * trigrams only on-the-mat: 1/3; 4-grams none of 2: smoothed to 0.1/2; brevity penalty exp(1 - 6/5).
     * ROUGE-1: overlap 5, P = 5/5, R = 5/6; ROUGE-2: overlap 3, P = 3/4, R = 3/5; LCS = 5 (drop "sat").
     */
    @Test
    void bleuAndRougeMatchValuesWorkedOutByHand() {
        List<String> reference = List.of("the", "cat", "sat", "on", "the", "mat");
        List<String> candidate = List.of("the", "cat", "on", "the", "mat");

        Map<RationaleMetric, Double> s = RationaleSimilarity.score(candidate, reference);

        double bp = Math.exp(1 - 6.0 / 5.0);
        assertThat(s.get(RationaleMetric.BLEU_1)).isCloseTo(bp * 1.0, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_2)).isCloseTo(bp * 3 / 4, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_3)).isCloseTo(bp * 1 / 3, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_4)).isCloseTo(bp * 0.1 / 2, within(EPS));
        assertThat(s.get(RationaleMetric.CUMULATIVE_BLEU_4))
                .isCloseTo(bp * Math.pow(1.0 * (3.0 / 4) * (1.0 / 3) * (0.1 / 2), 0.25), within(EPS));
        assertThat(s.get(RationaleMetric.ROUGE_1)).isCloseTo(2 * 1.0 * (5.0 / 6) / (1.0 + 5.0 / 6), within(EPS));
        assertThat(s.get(RationaleMetric.ROUGE_1)).isCloseTo(10.0 / 11, within(EPS));
        assertThat(s.get(RationaleMetric.ROUGE_2)).isCloseTo(2.0 / 3, within(EPS));
        assertThat(s.get(RationaleMetric.ROUGE_L)).isCloseTo(10.0 / 11, within(EPS));
    }

    /**
     * Candidate longer than the reference: no brevity penalty. Reference "a b c" , candidate "a b d c" (c = 4):
     * unigrams 3/4, bigrams a-b only: 1/3, trigrams none of 2: 0.1/2, 4-grams none of 1: 0.1/1; repeated words are
     * clipped: candidate "a a a a" against "a b c" has unigram precision 1/4.
     */
    @Test
    void longCandidatesAreNotPenalisedAndRepeatsAreClipped() {
        Map<RationaleMetric, Double> s = RationaleSimilarity.score(List.of("a", "b", "d", "c"), List.of("a", "b", "c"));
        assertThat(s.get(RationaleMetric.BLEU_1)).isCloseTo(3.0 / 4, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_2)).isCloseTo(1.0 / 3, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_3)).isCloseTo(0.05, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_4)).isCloseTo(0.1, within(EPS));
        assertThat(s.get(RationaleMetric.ROUGE_L)).isCloseTo(2.0 * 3 / (4 + 3), within(EPS));

        Map<RationaleMetric, Double> repeats = RationaleSimilarity.score(List.of("a", "a", "a", "a"),
                List.of("a", "b", "c"));
        assertThat(repeats.get(RationaleMetric.BLEU_1)).isCloseTo(1.0 / 4, within(EPS));
        // ROUGE-1: overlap min(4, 1) = 1, P = 1/4, R = 1/3 -> F1 = 2/7.
        assertThat(repeats.get(RationaleMetric.ROUGE_1)).isCloseTo(2.0 / 7, within(EPS));
    }

    @Test
    void noSharedWordOrNoWordsScoresZero() {
        Map<RationaleMetric, Double> disjoint = RationaleSimilarity.score(List.of("x", "y"), List.of("a", "b"));
        Map<RationaleMetric, Double> empty = RationaleSimilarity.score(List.of(), List.of("a", "b"));
        for (RationaleMetric metric : RationaleMetric.values()) {
            assertThat(disjoint.get(metric)).as(metric.label()).isZero();
            assertThat(empty.get(metric)).as(metric.label()).isZero();
        }
    }

    @Test
    void identicalTextsScoreOne() {
        List<String> words = List.of("le", "foie", "filtre", "le", "sang");
        Map<RationaleMetric, Double> s = RationaleSimilarity.score(words, words);
        for (RationaleMetric metric : RationaleMetric.values()) {
            assertThat(s.get(metric)).as(metric.label()).isCloseTo(1.0, within(EPS));
        }
    }

    /**
     * As in NLTK with method1, a candidate too short to have n-grams of order n gets the smoothed precision
     * 0.1 / max(1, 0) for that order: identical two-word texts score BLEU-3 = BLEU-4 = 0.1, not 1.
     */
    @Test
    void ordersLongerThanTheCandidateGetTheSmoothedPrecision() {
        Map<RationaleMetric, Double> s = RationaleSimilarity.score(List.of("le", "foie"), List.of("le", "foie"));
        assertThat(s.get(RationaleMetric.BLEU_2)).isCloseTo(1.0, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_3)).isCloseTo(0.1, within(EPS));
        assertThat(s.get(RationaleMetric.BLEU_4)).isCloseTo(0.1, within(EPS));
        assertThat(s.get(RationaleMetric.CUMULATIVE_BLEU_4)).isCloseTo(Math.pow(1.0 * 1.0 * 0.1 * 0.1, 0.25),
                within(EPS));
    }

    @Test
    void metricsCarryTheirTrueNames() {
        assertThat(RationaleMetric.values()).extracting(RationaleMetric::label).containsExactly("BLEU-1", "BLEU-2",
                "BLEU-3", "BLEU-4", "cumulative BLEU-4", "ROUGE-1", "ROUGE-2", "ROUGE-L");
    }
}
