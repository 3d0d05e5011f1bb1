package io.mmedstream.inference.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A model version requests can be sent to, and what is known about it.
 *
 * @param name         Triton model name
 * @param version      Triton model version (a positive number, as text)
 * @param checkpointId the training checkpoint it serves, or empty
 * @param evaluation   the evaluation that promoted it, if any
 */
public record ServingModel(String name, String version, String checkpointId, Optional<EvaluationResult> evaluation) {

    public ServingModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        checkpointId = checkpointId == null ? "" : checkpointId;
        evaluation = evaluation == null ? Optional.empty() : evaluation;
    }

    /** A version with nothing known beyond its name. */
    public static ServingModel of(String name, String version) {
        return new ServingModel(name, version, "", Optional.empty());
    }

    /** Same model name and version. */
    public boolean sameVersionAs(ServingModel other) {
        return other != null && name.equals(other.name) && version.equals(other.version);
    }

    @Override
    public String toString() {
        return name + "/" + version;
    }

    /** When a version started to serve, with the model. */
    public record Serving(ServingModel model, Instant since) {
    }
}
