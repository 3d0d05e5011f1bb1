package io.mmedstream.eval.metrics;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Rationale similarity of one language.
 *
 * @param n      items scored (human_check_passed items with a non-empty reference rationale)
 * @param scores each metric's mean over the items, in percent (0..100)
 */
public record LanguageRationale(int n, Map<RationaleMetric, Double> scores) {

    public LanguageRationale {
        scores = Collections.unmodifiableMap(new EnumMap<>(scores));
    }

    /** The mean of one metric, in percent. */
    public double score(RationaleMetric metric) {
        return scores.getOrDefault(metric, 0.0);
    }
}
