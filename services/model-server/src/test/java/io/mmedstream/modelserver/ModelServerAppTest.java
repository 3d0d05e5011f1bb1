package io.mmedstream.modelserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.mmedstream.triton.client.GenerationResult;
import io.mmedstream.triton.client.SamplingParams;
import io.mmedstream.triton.client.TritonClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The packaged service: start-up loading, gRPC and HTTP (health, metrics) on one port. */
@QuarkusTest
@QuarkusTestResource(TinyRepositoryResource.class)
class ModelServerAppTest {

    /** The test port Quarkus chose; gRPC shares it with HTTP. */
    private static int grpcPort() {
        return io.restassured.RestAssured.port;
    }

    @Test
    void servesTheStartupModelOverGrpcOnTheHttpPort() {
        try (TritonClient client = TritonClient.connect("localhost", grpcPort())) {
            assertThat(client.serverLive()).isTrue();
            assertThat(client.serverReady()).isTrue();
            assertThat(client.ready("mmed")).isTrue();
            StringBuilder chunks = new StringBuilder();
            GenerationResult result = TritonClient.await(client.generate("mmed", "Fever and cough",
                    SamplingParams.greedy(12), chunks::append));
            assertThat(result.completionTokens()).isEqualTo(12);
            assertThat(chunks.toString()).isEqualTo(result.text()).isNotEmpty();
        }
    }

    @Test
    void aCancelledGenerationStopsOnTheServer() throws Exception {
        try (TritonClient client = TritonClient.connect("localhost", grpcPort())) {
            java.util.concurrent.CountDownLatch firstChunk = new java.util.concurrent.CountDownLatch(1);
            // 800 tokens of a model without an end of sequence: still generating when the cancel arrives (a request
            // that could end by itself after a few tokens sometimes finished first, and counted "ok")
            var generation = client.generate("endless", "q".repeat(100), SamplingParams.greedy(800),
                    c -> firstChunk.countDown());
            assertThat(firstChunk.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            generation.cancel(true);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                    given().when().get("/q/metrics").then().statusCode(200)
                            .body(org.hamcrest.Matchers.matchesPattern("(?s).*mmed_inference_requests_total\\{[^}]*"
                                    + "model=\"endless\"[^}]*outcome=\"cancelled\".*")));
        }
    }

    @Test
    void streamsCancelledByTheClientLeaveTheOtherCallsOnTheConnectionAlone() throws Exception {
        // One connection, as a client such as inference keeps: generations that are cancelled mid-way (the server
        // gets RST_STREAM CANCEL while it is still writing) must not fail the other calls multiplexed beside them.
        try (TritonClient client = TritonClient.connect("localhost", grpcPort())) {
            java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger cancelled = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
            var canceller = threads.submit(() -> {
                for (int n = 0; !done.get(); n++) {
                    // Cancelled on its next-to-last chunk, as the server writes the last response and the trailers:
                    // the reset races with the end of the stream.
                    int tokens = 2 + n % 6;
                    var generation = new java.util.concurrent.atomic.AtomicReference<
                            java.util.concurrent.CompletableFuture<GenerationResult>>();
                    java.util.concurrent.atomic.AtomicInteger chunks = new java.util.concurrent.atomic.AtomicInteger();
                    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
                    generation.set(client.generate("mmed", "Story " + n,
                            new SamplingParams(tokens, 0.0, null, null, null, null), c -> {
                                if (chunks.incrementAndGet() == tokens - 1) {
                                    awaitQuietly(started);
                                    generation.get().cancel(true);
                                }
                            }));
                    started.countDown();
                    try {
                        generation.get().join();
                    } catch (java.util.concurrent.CancellationException
                             | java.util.concurrent.CompletionException e) {
                        cancelled.incrementAndGet();
                    }
                }
                return null;
            });
            java.util.List<java.util.concurrent.Future<?>> loops = new java.util.ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int id = c;
                loops.add(threads.submit(() -> {
                    for (int n = 0; n < 100; n++) {
                        try {
                            GenerationResult r = TritonClient.await(client.generate("mmed", "Visit " + id + "/" + n,
                                    SamplingParams.greedy(4), null));
                            assertThat(r.completionTokens()).isPositive();
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }
                }));
            }
            for (var loop : loops) {
                loop.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
            done.set(true);
            canceller.get(1, java.util.concurrent.TimeUnit.MINUTES);
            threads.shutdown();
            assertThat(cancelled.get()).isPositive();
            assertThat(failures).isEmpty();
        }
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aModelInferPastItsDeadlineIsStoppedOnTheServer() {
        try (TritonClient warm = TritonClient.connect("localhost", grpcPort())) {
            assertThat(warm.infer("plain", "", "Fever", SamplingParams.greedy(3)).completionTokens()).isEqualTo(3);
            // the premise: this request really generates 800 tokens (no early end of sequence) when given the time
            var full = warm.infer("plain", "", "p".repeat(100), SamplingParams.greedy(800));
            assertThat(full.completionTokens()).as("%s", full).isEqualTo(800);
        }
        // The deadline must end while the server is still generating: a warm connection (serverReady uses the
        // control deadline) and a budget far below what 800 tokens of the "plain" model take. (Before, the request
        // ended by itself after 38 tokens, an end of sequence: a fast run finished within the deadline, and the
        // server rightly counted "ok".)
        TritonClient.Deadlines hasty = new TritonClient.Deadlines(java.time.Duration.ofSeconds(10),
                java.time.Duration.ofMillis(8), java.time.Duration.ofSeconds(10));
        try (TritonClient client = TritonClient.connect("localhost", grpcPort(), hasty)) {
            assertThat(client.serverReady()).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.infer("plain", "", "p".repeat(100),
                    SamplingParams.greedy(800)))
                    .isInstanceOfSatisfying(io.mmedstream.triton.client.TritonException.class,
                            e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED));
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                given().when().get("/q/metrics").then().statusCode(200)
                        .body(org.hamcrest.Matchers.matchesPattern(
                                "(?s).*mmed_inference_requests_total\\{[^}]*model=\"plain\"[^}]*outcome=\"cancelled\".*")));
    }

    @Test
    void healthIsReadyAndMetricsCountRequests() {
        try (TritonClient client = TritonClient.connect("localhost", grpcPort())) {
            TritonClient.await(client.generate("mmed", "hello", SamplingParams.greedy(3), null));
        }
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("model-server"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("mmed_inference_requests_total"))
                .body(containsString("mmed_inference_tokens_total"));
    }
}
