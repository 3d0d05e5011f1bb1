package io.mmedstream.local.stack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Asks a Quarkus service whether it is ready ({@code GET /q/health/ready}) or live ({@code GET /q/health/live}), with
 * short timeouts.
 */
public final class HealthProbe {

    /** What a probe found. */
    public enum State {
        /** Ready: every check UP. */
        UP,
        /** Answering, but some check is DOWN (e.g. not connected to Kafka yet). */
        DOWN,
        /** Not answering at all. */
        UNREACHABLE
    }

    /** A probe's result with a short explanation for DOWN and UNREACHABLE. */
    public record Result(State state, String detail) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The readiness of the service listening on {@code port} of this machine. */
    public Result ready(int port) {
        return check(port, "/q/health/ready");
    }

    /** The health check at {@code path} ({@code /q/health/ready}, {@code /q/health/live}) on {@code port}. */
    public Result check(int port, String path) {
        URI uri = URI.create("http://localhost:" + port + path);
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = readJson(response.body());
            String status = body.path("status").asText("");
            if (response.statusCode() == 200 && "UP".equals(status)) {
                return new Result(State.UP, "");
            }
            return new Result(State.DOWN, downChecks(body, response.statusCode()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(State.UNREACHABLE, "interrupted");
        } catch (Exception e) {
            return new Result(State.UNREACHABLE, "no answer on " + uri);
        }
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static String downChecks(JsonNode body, int httpStatus) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode check : body.path("checks")) {
            if (!"UP".equals(check.path("status").asText())) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(check.path("name").asText("?")).append(" DOWN");
            }
        }
        return sb.isEmpty() ? "HTTP " + httpStatus : sb.toString();
    }
}
