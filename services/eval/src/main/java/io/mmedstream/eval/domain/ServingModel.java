package io.mmedstream.eval.domain;

import java.util.Objects;

import io.mmedstream.eval.report.CheckpointAccuracy;

/**
 * The checkpoint currently promoted for serving, as the last ModelPromoted announced it.
 *
 * @param checkpointId the checkpoint
 * @param version      its version folder in the model repository
 * @param accuracy     its per-language and mean accuracy (percent)
 */
public record ServingModel(String checkpointId, String version, CheckpointAccuracy accuracy) {

    public ServingModel {
        Objects.requireNonNull(checkpointId, "checkpointId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(accuracy, "accuracy");
    }
}
