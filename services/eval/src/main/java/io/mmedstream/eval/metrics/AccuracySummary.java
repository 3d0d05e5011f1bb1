package io.mmedstream.eval.metrics;

import io.mmedstream.eval.benchmark.Language;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Accuracy per language and the unweighted mean over languages (REFERENCE §2).
 *
 * @param languages the scored languages (those with at least one question), in {@link Language} order
 */
public record AccuracySummary(Map<Language, LanguageAccuracy> languages) {

    public AccuracySummary {
        Map<Language, LanguageAccuracy> copy = new EnumMap<>(Language.class);
        languages.forEach((language, accuracy) -> {
            if (accuracy.n() > 0) {
                copy.put(language, accuracy);
            }
        });
        languages = Collections.unmodifiableMap(copy);
    }

    /**
     * The unweighted mean of the per-language accuracies, in percent: each language counts the same however many
     * questions it has. Over the scored languages: it is the benchmark's six-language mean only when
     * {@link #coversAllLanguages()}. 0 when no language was scored.
     */
    public double meanAccuracy() {
        return languages.values().stream().mapToDouble(LanguageAccuracy::accuracy).average().orElse(0.0);
    }

    /** Whether all six languages were scored, so {@link #meanAccuracy()} is the benchmark's mean. */
    public boolean coversAllLanguages() {
        return languages.size() == Language.values().length;
    }

    /** Questions scored over all languages. */
    public int totalQuestions() {
        return languages.values().stream().mapToInt(LanguageAccuracy::n).sum();
    }

    /** Unparseable outputs over all languages. */
    public int totalUnparseable() {
        return languages.values().stream().mapToInt(LanguageAccuracy::unparseable).sum();
    }
}
