package io.mmedstream.eval.report;

import io.mmedstream.eval.benchmark.Language;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One checkpoint's accuracies, as the chart across checkpoints needs them.
 *
 * @param checkpoint   the checkpoint's name (its id or version)
 * @param accuracy     accuracy in percent per scored language
 * @param meanAccuracy the unweighted mean over those languages, in percent
 */
public record CheckpointAccuracy(String checkpoint, Map<Language, Double> accuracy, double meanAccuracy) {

    public CheckpointAccuracy {
        Objects.requireNonNull(checkpoint, "checkpoint");
        accuracy = Collections.unmodifiableMap(accuracy.isEmpty()
                ? new EnumMap<>(Language.class) : new EnumMap<>(accuracy));
    }
}
