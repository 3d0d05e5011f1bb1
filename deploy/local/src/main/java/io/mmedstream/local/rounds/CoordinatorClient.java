package io.mmedstream.local.rounds;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.local.cli.CommandException;

/**
 * The train-coordinator's admin API (services/train-coordinator README, "Admin API"): list rounds, show one, plan one
 * now, look at the pool. Every call has a timeout.
 */
public final class CoordinatorClient {

    /** The coordinator does not answer, or answers that it is not ready: worth trying again later. */
    public static final class UnavailableException extends CommandException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The coordinator refused a request ({@code {"reason", "message"}}), e.g. 409 {@code nothing_to_train}. */
    public static final class RefusedException extends CommandException {
        private final int status;
        private final String reason;

        RefusedException(int status, String reason, String message) {
            super(message);
            this.status = status;
            this.reason = reason;
        }

        /** The HTTP status. */
        public int status() {
            return status;
        }

        /** The coordinator's reason code, e.g. {@code nothing_to_train}. */
        public String reason() {
            return reason;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** Planning a round answers once it is committed to Kafka; the coordinator itself gives up after 30 s. */
    private static final Duration TRIGGER_TIMEOUT = Duration.ofSeconds(40);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    /** A client of the coordinator at {@code base}, e.g. {@code http://localhost:8084}. */
    public CoordinatorClient(URI base) {
        this.base = base;
    }

    /** The coordinator of this machine's stack. */
    public static CoordinatorClient local(int port) {
        return new CoordinatorClient(URI.create("http://localhost:" + port));
    }

    public URI base() {
        return base;
    }

    /** Every round, newest first ({@code GET /rounds}), as the API wrote them. */
    public JsonNode roundsJson() {
        return send(HttpRequest.newBuilder(base.resolve("/rounds")).timeout(READ_TIMEOUT).GET().build());
    }

    /** Every round, newest first. */
    public List<RoundInfo> rounds() {
        List<RoundInfo> rounds = new ArrayList<>();
        roundsJson().forEach(n -> rounds.add(RoundInfo.of(n)));
        return rounds;
    }

    /** One round, with its shards ({@code GET /rounds/{id}}). */
    public RoundInfo round(String roundId) {
        return RoundInfo.of(send(HttpRequest.newBuilder(base.resolve("/rounds/" + roundId)).timeout(READ_TIMEOUT)
                .GET().build()));
    }

    /** The pool ({@code GET /pool}). */
    public PoolInfo pool() {
        return PoolInfo.of(send(HttpRequest.newBuilder(base.resolve("/pool")).timeout(READ_TIMEOUT).GET().build()));
    }

    /**
     * Plans a round now from the pool ({@code POST /rounds}).
     *
     * @throws RefusedException 409 {@code nothing_to_train} when the pool has nothing for a round or one is live
     */
    public RoundInfo trigger() {
        return RoundInfo.of(send(HttpRequest.newBuilder(base.resolve("/rounds")).timeout(TRIGGER_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UnavailableException("the train-coordinator does not answer at " + base + " (" + describe(e)
                    + "). Is the stack up? (./mmed up starts it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        int status = response.statusCode();
        if (status / 100 == 2 && body != null) {
            return body;
        }
        String reason = body == null ? "" : body.path("reason").asText("");
        String message = body == null ? "" : body.path("message").asText("");
        String what = request.method() + " " + request.uri().getPath();
        if (status == 503) {
            throw new UnavailableException("the train-coordinator is not ready (" + what + ": " + message + ")", null);
        }
        throw new RefusedException(status, reason, what + " answered " + status
                + (reason.isEmpty() ? "" : " " + reason) + (message.isEmpty() ? "" : ": " + message));
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
