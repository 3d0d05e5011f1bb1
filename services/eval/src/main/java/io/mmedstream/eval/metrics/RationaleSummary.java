package io.mmedstream.eval.metrics;

import io.mmedstream.eval.benchmark.Language;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Rationale similarity per language, and per metric the unweighted mean over the scored languages.
 *
 * @param languages the languages with at least one scored item, in {@link Language} order
 */
public record RationaleSummary(Map<Language, LanguageRationale> languages) {

    public RationaleSummary {
        Map<Language, LanguageRationale> copy = new EnumMap<>(Language.class);
        languages.forEach((language, rationale) -> {
            if (rationale.n() > 0) {
                copy.put(language, rationale);
            }
        });
        languages = Collections.unmodifiableMap(copy);
    }

    /** The unweighted mean of one metric over the scored languages, in percent; 0 when none was scored. */
    public double mean(RationaleMetric metric) {
        return languages.values().stream().mapToDouble(l -> l.score(metric)).average().orElse(0.0);
    }
}
