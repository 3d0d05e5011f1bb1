package io.mmedstream.local.rounds;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A training round as the train-coordinator's admin API shows it ({@code GET /rounds}, {@code GET /rounds/{id}}):
 * the fields the CLI shows. Unknown fields are ignored, missing ones are null or zero.
 *
 * @param state PLANNED, DISPATCHED, RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param firstLoss training loss of the round's first step; null before it
 * @param loss training loss of the latest step; null before the first
 * @param tokensSeen real tokens trained on so far
 * @param tokenCount tokens of the round's shards
 * @param checkpointId the announced checkpoint's id ({@code CheckpointReady.checkpoint_id}); null until SUCCEEDED
 * @param checkpointUri the announced checkpoint ({@code file:} URI on the embedded default); null until SUCCEEDED
 * @param shardIds the round's shards; only in the single-round view, else empty
 */
public record RoundInfo(String roundId, String state, String trigger, int attempt, int maxAttempts, int step,
        int totalSteps, Double firstLoss, Double loss, Double tokensPerSecond, long tokensSeen, long tokenCount,
        int shardCount, Map<String, Long> tokensPerLang, String checkpointId, String checkpointUri, String failureReason,
        String failureMessage, Instant dispatchedAt, Instant startedAt, Instant finishedAt, List<String> shardIds) {

    /** The states a round ends in. */
    public static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    /** Every state, in the order a round passes through them. */
    public static final List<String> STATES = List.of("PLANNED", "DISPATCHED", "RUNNING", "SUCCEEDED", "FAILED",
            "CANCELLED");

    public RoundInfo {
        tokensPerLang = Map.copyOf(tokensPerLang);
        shardIds = List.copyOf(shardIds);
    }

    /** Reads one round of the API's JSON. */
    public static RoundInfo of(JsonNode n) {
        Map<String, Long> perLang = new LinkedHashMap<>();
        n.path("tokens_per_lang").fields().forEachRemaining(e -> perLang.put(e.getKey(), e.getValue().asLong()));
        List<String> shards = new ArrayList<>();
        n.path("shards").forEach(s -> shards.add(s.path("shard_id").asText()));
        return new RoundInfo(n.path("round_id").asText(""), n.path("state").asText(""), text(n, "trigger"),
                n.path("attempt").asInt(), n.path("max_attempts").asInt(), n.path("step").asInt(),
                n.path("total_steps").asInt(), number(n, "first_loss"), number(n, "loss"),
                number(n, "tokens_per_second"), n.path("tokens_seen").asLong(), n.path("token_count").asLong(),
                n.path("shard_count").asInt(), perLang, text(n, "checkpoint_id"), text(n, "checkpoint_uri"),
                text(n, "failure_reason"),
                text(n, "failure_message"), instant(n, "dispatched_at"), instant(n, "started_at"),
                instant(n, "finished_at"), shards);
    }

    /** Whether the round has ended (SUCCEEDED, FAILED or CANCELLED). */
    public boolean ended() {
        return ENDED.contains(state);
    }

    public boolean succeeded() {
        return "SUCCEEDED".equals(state);
    }

    /** Whether the loss of the last step is below that of the first; empty until both are known. */
    public Optional<Boolean> lossFell() {
        if (firstLoss == null || loss == null) {
            return Optional.empty();
        }
        return Optional.of(loss < firstLoss);
    }

    /** The checkpoint directory, when the checkpoint is a {@code file:} URI (the local dispatcher's). */
    public Optional<Path> checkpointPath() {
        if (checkpointUri == null) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(checkpointUri);
            return "file".equals(uri.getScheme()) ? Optional.of(Path.of(uri)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Where the checkpoint is, for people: its path when local, else its URI; empty until there is one. */
    public Optional<String> checkpointLocation() {
        return checkpointPath().map(Path::toString).or(() -> Optional.ofNullable(checkpointUri));
    }

    /** How long the round has trained: from its dispatch (or start) to its end, or to {@code now}. */
    public Optional<Duration> trainingTime(Instant now) {
        Instant from = dispatchedAt != null ? dispatchedAt : startedAt;
        if (from == null) {
            return Optional.empty();
        }
        Instant to = finishedAt != null ? finishedAt : now;
        return Optional.of(Duration.between(from, to)).filter(d -> !d.isNegative());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isNumber() ? null : v.asDouble();
    }

    /** Quarkus writes instants as ISO-8601 text; numbers (epoch seconds, with a fraction) are read too. */
    private static Instant instant(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            if (v.isNumber()) {
                double seconds = v.asDouble();
                long whole = (long) Math.floor(seconds);
                return Instant.ofEpochSecond(whole, Math.round((seconds - whole) * 1e9));
            }
            return Instant.parse(v.asText());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
