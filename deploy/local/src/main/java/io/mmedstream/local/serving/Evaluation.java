package io.mmedstream.local.serving;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.ModelPromoted;

/**
 * One checkpoint's evaluation as the topics tell it: eval's {@code EvalCompleted} and, when the checkpoint was
 * promoted, its {@code ModelPromoted}. Why a checkpoint was NOT promoted is in no event: eval writes its decision to
 * the report directory ({@code promotion.json}), where {@link #reason()} reads it.
 *
 * @param result    the evaluation
 * @param promotion the promotion of the same checkpoint, if it was promoted
 */
public record Evaluation(EvalCompleted result, Optional<ModelPromoted> promotion) {

    /** The decision file eval writes into each report directory. */
    public static final String DECISION_FILE = "promotion.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public String checkpointId() {
        return result.getCheckpointId();
    }

    public boolean promoted() {
        return promotion.isPresent();
    }

    /** Why it was (not) promoted: the promotion's reason, else eval's recorded decision, else what is known. */
    public String reason() {
        if (promotion.isPresent()) {
            return promotion.get().getReason();
        }
        return decision().map(d -> d.path("reason").asText("")).filter(r -> !r.isEmpty())
                .orElse("no promotion recorded (eval's log has the decision: logs/eval.log)");
    }

    /** Whether eval's recorded decision (in the report directory) was to promote; empty when there is none. */
    public Optional<Boolean> decidedToPromote() {
        return decision().map(d -> d.path("promoted")).filter(JsonNode::isBoolean).map(JsonNode::asBoolean);
    }

    /** The report directory, when it is local. */
    public Optional<Path> reportDir() {
        String uri = result.getReportUri();
        try {
            URI parsed = URI.create(uri);
            return "file".equals(parsed.getScheme()) ? Optional.of(Path.of(parsed)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<JsonNode> decision() {
        Optional<Path> file = reportDir().map(d -> d.resolve(DECISION_FILE)).filter(Files::isRegularFile);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(file.get().toFile()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
