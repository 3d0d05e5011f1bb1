package io.mmedstream.eval.metrics;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU and ROUGE of one candidate word list against one reference word list.
 *
 * <p>BLEU follows NLTK's {@code sentence_bleu} with {@code SmoothingFunction().method1}, which the released MMedBench
 * script used, so the figures compare: for order n the modified precision p<sub>n</sub> = clipped matching n-grams /
 * max(1, candidate n-grams); a p<sub>n</sub> with no match becomes 0.1 / max(1, candidate n-grams) (method1's
 * epsilon); the brevity penalty is 1 when the candidate is longer than the reference, else exp(1 - r/c); a candidate
 * with no matching word at all (or no words) scores 0. BLEU-n = BP &middot; p<sub>n</sub>; cumulative BLEU-4 = BP
 * &middot; exp(&Sigma; ln p<sub>n</sub> / 4).
 *
 * <p>ROUGE-N F1 = 2PR / (P + R) with P = overlapping n-grams (clipped) / candidate n-grams and R = the same over
 * reference n-grams; ROUGE-L F1 uses the longest common subsequence length for the overlap with n-grams replaced by
 * words. No stemming, no stop-word removal; a score with no overlap is 0.
 */
public final class RationaleSimilarity {

    /** NLTK's method1 smoothing epsilon. */
    static final double EPSILON = 0.1;

    private RationaleSimilarity() {
    }

    /** Every {@link RationaleMetric} of the pair, as fractions in [0, 1]. */
    public static Map<RationaleMetric, Double> score(List<String> candidate, List<String> reference) {
        Map<RationaleMetric, Double> scores = new EnumMap<>(RationaleMetric.class);
        double[] precisions = new double[4];
        boolean anyUnigram = matches(candidate, reference, 1) > 0;
        for (int n = 1; n <= 4; n++) {
            long total = Math.max(1, Math.max(0, candidate.size() - n + 1));
            long matched = matches(candidate, reference, n);
            precisions[n - 1] = matched > 0 ? (double) matched / total : EPSILON / total;
        }
        double bp = brevityPenalty(candidate.size(), reference.size());
        RationaleMetric[] single = {RationaleMetric.BLEU_1, RationaleMetric.BLEU_2, RationaleMetric.BLEU_3,
            RationaleMetric.BLEU_4};
        double logSum = 0;
        for (int n = 0; n < 4; n++) {
            scores.put(single[n], anyUnigram ? bp * precisions[n] : 0.0);
            logSum += Math.log(precisions[n]);
        }
        scores.put(RationaleMetric.CUMULATIVE_BLEU_4, anyUnigram ? bp * Math.exp(logSum / 4) : 0.0);
        scores.put(RationaleMetric.ROUGE_1, f1(matches(candidate, reference, 1), ngrams(candidate.size(), 1),
                ngrams(reference.size(), 1)));
        scores.put(RationaleMetric.ROUGE_2, f1(matches(candidate, reference, 2), ngrams(candidate.size(), 2),
                ngrams(reference.size(), 2)));
        scores.put(RationaleMetric.ROUGE_L, f1(lcs(candidate, reference), candidate.size(), reference.size()));
        return scores;
    }

    static double brevityPenalty(int candidateLength, int referenceLength) {
        if (candidateLength > referenceLength) {
            return 1.0;
        }
        if (candidateLength == 0) {
            return 0.0;
        }
        return Math.exp(1.0 - (double) referenceLength / candidateLength);
    }

    /** Candidate n-grams that also occur in the reference, each counted at most as often as there. */
    static long matches(List<String> candidate, List<String> reference, int n) {
        Map<List<String>, Integer> available = counts(reference, n);
        long matched = 0;
        for (Map.Entry<List<String>, Integer> gram : counts(candidate, n).entrySet()) {
            matched += Math.min(gram.getValue(), available.getOrDefault(gram.getKey(), 0));
        }
        return matched;
    }

    /** Length of the longest common subsequence of the two word lists. */
    static int lcs(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = a.get(i - 1).equals(b.get(j - 1))
                        ? previous[j - 1] + 1
                        : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }

    private static long ngrams(int length, int n) {
        return Math.max(0, length - n + 1);
    }

    private static double f1(long overlap, long candidateTotal, long referenceTotal) {
        if (overlap == 0 || candidateTotal == 0 || referenceTotal == 0) {
            return 0.0;
        }
        double precision = (double) overlap / candidateTotal;
        double recall = (double) overlap / referenceTotal;
        return 2 * precision * recall / (precision + recall);
    }

    private static Map<List<String>, Integer> counts(List<String> words, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= words.size(); i++) {
            counts.merge(List.copyOf(words.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }
}
