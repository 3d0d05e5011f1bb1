package io.mmedstream.eval.metrics;

import io.mmedstream.eval.benchmark.Language;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Scores model rationales against reference rationales and averages per language. The caller decides which items
 * count (MMedBench: human_check_passed ones only); an item whose reference has no words is skipped and counted in
 * {@link #skipped()}. Not thread-safe: one tally per scoring run.
 */
public final class RationaleTally {

    private final Map<Language, double[]> sums = new EnumMap<>(Language.class);
    private final Map<Language, Integer> items = new EnumMap<>(Language.class);
    private int skipped;

    /**
     * Scores one item.
     *
     * @return the item's scores as fractions in [0, 1], or an empty map when the reference has no words
     */
    public Map<RationaleMetric, Double> record(Language language, String modelRationale, String referenceRationale) {
        List<String> reference = RationaleSegmenter.words(referenceRationale, language);
        if (reference.isEmpty()) {
            skipped++;
            return Map.of();
        }
        List<String> candidate = RationaleSegmenter.words(modelRationale, language);
        Map<RationaleMetric, Double> scores = RationaleSimilarity.score(candidate, reference);
        double[] sum = sums.computeIfAbsent(language, l -> new double[RationaleMetric.values().length]);
        scores.forEach((metric, value) -> sum[metric.ordinal()] += value);
        items.merge(language, 1, Integer::sum);
        return scores;
    }

    /** Items skipped because their reference rationale was empty. */
    public int skipped() {
        return skipped;
    }

    /** Per language, each metric's mean in percent. */
    public RationaleSummary summary() {
        Map<Language, LanguageRationale> languages = new EnumMap<>(Language.class);
        sums.forEach((language, sum) -> {
            int n = items.get(language);
            Map<RationaleMetric, Double> means = new EnumMap<>(RationaleMetric.class);
            for (RationaleMetric metric : RationaleMetric.values()) {
                means.put(metric, 100.0 * sum[metric.ordinal()] / n);
            }
            languages.put(language, new LanguageRationale(n, means));
        });
        return new RationaleSummary(languages);
    }
}
