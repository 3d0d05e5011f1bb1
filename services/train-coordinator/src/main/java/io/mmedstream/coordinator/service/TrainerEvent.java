package io.mmedstream.coordinator.service;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One progress line of the trainer (services/trainer README, "Progress"): a JSON object per line on stdout with an
 * {@code event} of {@code start}, {@code step}, {@code checkpoint}, {@code done} or {@code error}. Paths in the
 * events are as the trainer saw them; dispatchers turn them into URIs before the coordinator stores them.
 */
public sealed interface TrainerEvent {

    /** The trainer started (or resumed) a round at {@code step} of {@code totalSteps}. */
    record Start(int step, int totalSteps, String resumedFrom, Long parameters, String device) implements TrainerEvent {
    }

    /** An optimizer step finished. */
    record Step(int step, double loss, Double learningRate, Double tokensPerSecond, long tokensSeen)
            implements TrainerEvent {
    }

    /** A checkpoint was written completely. */
    record Checkpoint(int step, String path, long tokensSeen, Map<String, Long> tokensPerLang) implements TrainerEvent {

        public Checkpoint {
            tokensPerLang = Map.copyOf(tokensPerLang);
        }

        public Checkpoint withPath(String mapped) {
            return new Checkpoint(step, mapped, tokensSeen, tokensPerLang);
        }
    }

    /** The round is trained; {@code checkpoint} is its last checkpoint. */
    record Done(int step, String checkpoint, Double firstLoss, Double finalLoss, long tokensSeen,
            Map<String, Long> tokensPerLang) implements TrainerEvent {

        public Done {
            tokensPerLang = Map.copyOf(tokensPerLang);
        }

        public Done withCheckpoint(String mapped) {
            return new Done(step, mapped, firstLoss, finalLoss, tokensSeen, tokensPerLang);
        }
    }

    /** The trainer failed; it exits with {@code exitCode} next. */
    record Error(String reason, boolean retriable, int exitCode, String message) implements TrainerEvent {
    }

    /**
     * Parses one line; empty for a line that is not a progress event (the trainer's stdout carries only events, but
     * a library may print, and such a line must not stop anything).
     */
    static Optional<TrainerEvent> parse(String line) {
        String trimmed = line == null ? "" : line.trim();
        if (!trimmed.startsWith("{")) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(trimmed);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        String event = node.path("event").asText("");
        return Optional.ofNullable(switch (event) {
            case "start" -> new Start(node.path("step").asInt(0), node.path("total_steps").asInt(0),
                    text(node, "resumed_from"), node.hasNonNull("parameters") ? node.get("parameters").asLong() : null,
                    text(node, "device"));
            case "step" -> node.path("loss").isNumber()
                    ? new Step(node.path("step").asInt(0), node.get("loss").asDouble(), number(node, "lr"),
                            number(node, "tokens_per_s"), node.path("tokens_seen").asLong(0))
                    : null;
            case "checkpoint" -> new Checkpoint(node.path("step").asInt(0), text(node, "path"),
                    node.path("tokens_seen").asLong(0), longs(node.path("tokens_per_lang")));
            case "done" -> new Done(node.path("step").asInt(0), text(node, "checkpoint"), number(node, "first_loss"),
                    number(node, "final_loss"), node.path("tokens_seen").asLong(0),
                    longs(node.path("tokens_per_lang")));
            case "error" -> new Error(node.path("reason").asText("unknown"), node.path("retriable").asBoolean(false),
                    node.path("exit_code").asInt(-1), node.path("message").asText(""));
            default -> null;
        });
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    private static Map<String, Long> longs(JsonNode node) {
        Map<String, Long> out = new TreeMap<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    out.put(e.getKey(), e.getValue().asLong());
                }
            });
        }
        return out;
    }

    /** The shared JSON mapper of the trainer protocol. */
    final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {
        }
    }
}
