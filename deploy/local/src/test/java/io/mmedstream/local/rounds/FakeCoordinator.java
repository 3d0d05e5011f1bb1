package io.mmedstream.local.rounds;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP server that speaks the train-coordinator's admin API (the JSON of its RoundView and PoolView) over a small
 * model of its behaviour: announced shards reach the pool after a number of pool reads, {@code POST /rounds} plans a
 * round of every pooled shard unless a round is live, and every read of a live round advances it by
 * {@link #stepsPerRead} steps, with a falling loss, until it succeeds.
 */
final class FakeCoordinator implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    /** Shards announced but not yet pooled, with the pool reads left until they are. */
    final Map<String, Integer> announced = new LinkedHashMap<>();
    final List<String> waiting = new ArrayList<>();
    final Map<String, String> aside = new LinkedHashMap<>();
    final Map<String, ObjectNode> rounds = new LinkedHashMap<>();
    final AtomicInteger triggers = new AtomicInteger();
    int stepsPerRead = 20;
    int totalSteps = 60;
    /** When set, POST /rounds answers 409 with this message even when shards wait. */
    String refusal;
    String decision = "not due: 3 shards, 4,096 tokens < 2,000,000";

    FakeCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    /** A round of these shards, in {@code state}, at {@code step}. */
    synchronized ObjectNode addRound(String state, int step, String... shards) {
        String id = String.format("round-%06d", rounds.size() + 1);
        ObjectNode r = JSON.createObjectNode().put("round_id", id).put("state", state).put("trigger", "manual")
                .put("attempt", 1).put("max_attempts", 3).put("step", step).put("total_steps", totalSteps)
                .put("tokens_seen", step * 256L).put("token_count", 4096).put("shard_count", shards.length)
                .put("dispatched_at", "2026-11-26T23:00:00Z");
        r.putObject("tokens_per_lang").put("en", 3000).put("fr", 1096);
        ArrayNode list = r.putArray("shards");
        for (String s : shards) {
            list.addObject().put("shard_id", s).put("token_count", 2048);
        }
        if (step > 0) {
            r.put("first_loss", 11.5).put("loss", loss(step)).put("tokens_per_second", 512.0);
        }
        rounds.put(id, r);
        return r;
    }

    private static double loss(int step) {
        return 11.5 - step * 0.05;
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        try {
            if (method.equals("GET") && path.equals("/pool")) {
                announced.replaceAll((id, reads) -> reads - 1);
                announced.entrySet().removeIf(e -> {
                    if (e.getValue() <= 0) {
                        waiting.add(e.getKey());
                        return true;
                    }
                    return false;
                });
                ObjectNode pool = JSON.createObjectNode();
                ArrayNode w = pool.putArray("waiting");
                waiting.forEach(id -> w.addObject().put("shard_id", id).put("token_count", 2048));
                pool.put("waiting_tokens", 2048L * waiting.size());
                ArrayNode a = pool.putArray("aside");
                aside.forEach((id, reason) -> a.addObject().put("shard_id", id).put("reason", reason)
                        .put("detail", "tokenizer abc, the round's def"));
                pool.put("decision", decision).put("coordinator", "RUNNING");
                answer(exchange, 200, pool);
            } else if (method.equals("GET") && path.equals("/rounds")) {
                ArrayNode list = JSON.createArrayNode();
                List<ObjectNode> newestFirst = new ArrayList<>(rounds.values());
                Collections.reverse(newestFirst);
                newestFirst.forEach(r -> {
                    ObjectNode copy = r.deepCopy();
                    copy.remove("shards");
                    list.add(copy);
                });
                answer(exchange, 200, list);
            } else if (method.equals("GET") && path.startsWith("/rounds/")) {
                ObjectNode r = rounds.get(path.substring("/rounds/".length()));
                if (r == null) {
                    answer(exchange, 404, error("round_not_found", "no round " + path));
                    return;
                }
                if (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(r.get("state").asText())) {
                    int step = Math.min(totalSteps, r.get("step").asInt() + stepsPerRead);
                    r.put("state", step == totalSteps ? "SUCCEEDED" : "RUNNING").put("step", step)
                            .put("first_loss", 11.5).put("loss", loss(step)).put("tokens_per_second", 512.0)
                            .put("tokens_seen", step * 256L);
                    if (step == totalSteps) {
                        r.put("checkpoint_uri", "file:///state/checkpoints/" + r.get("round_id").asText()
                                + "/checkpoint-00000060").put("finished_at", "2026-11-26T23:02:05Z");
                    }
                }
                answer(exchange, 200, r);
            } else if (method.equals("POST") && path.equals("/rounds")) {
                triggers.incrementAndGet();
                boolean live = rounds.values().stream().anyMatch(r -> !List.of("SUCCEEDED", "FAILED", "CANCELLED")
                        .contains(r.get("state").asText()));
                if (refusal != null || live || waiting.isEmpty()) {
                    answer(exchange, 409, error("nothing_to_train", refusal != null ? refusal
                            : live ? "a round is live" : "the pool is empty"));
                    return;
                }
                ObjectNode r = addRound("PLANNED", 0, waiting.toArray(String[]::new));
                waiting.clear();
                answer(exchange, 201, r);
            } else {
                answer(exchange, 404, error("not_found", path));
            }
        } finally {
            exchange.close();
        }
    }

    private static ObjectNode error(String reason, String message) {
        return JSON.createObjectNode().put("reason", reason).put("message", message);
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
