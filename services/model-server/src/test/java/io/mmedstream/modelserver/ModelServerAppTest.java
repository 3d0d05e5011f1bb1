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
            var generation = client.generate("mmed", "q".repeat(100),
                    new SamplingParams(150, 0.0, null, null, null, null), c -> firstChunk.countDown());
            assertThat(firstChunk.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            generation.cancel(true);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                    given().when().get("/q/metrics").then().statusCode(200)
                            .body(containsString("outcome=\"cancelled\"")));
        }
    }

    @Test
    void aModelInferPastItsDeadlineIsStoppedOnTheServer() {
        try (TritonClient warm = TritonClient.connect("localhost", grpcPort())) {
            assertThat(warm.infer("plain", "", "Fever", SamplingParams.greedy(3)).completionTokens()).isEqualTo(3);
        }
        // The deadline must end while the server is still generating: a warm connection (serverReady uses the
        // control deadline) and a budget far below the ~25 ms this tiny model needs for 150 tokens on a quiet CPU.
        TritonClient.Deadlines hasty = new TritonClient.Deadlines(java.time.Duration.ofSeconds(10),
                java.time.Duration.ofMillis(8), java.time.Duration.ofSeconds(10));
        try (TritonClient client = TritonClient.connect("localhost", grpcPort(), hasty)) {
            assertThat(client.serverReady()).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.infer("plain", "", "p".repeat(100),
                    new SamplingParams(150, 0.0, null, null, null, null)))
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
