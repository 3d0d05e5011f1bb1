package io.mmedstream.inference.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.net.URL;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.GetModelRequest;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.proto.inference.v1.ModelInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The packaged service following promotions: a real embedded broker, a KServe v2 backend that already has version 2
 * loaded and ready (as a candidate eval is still evaluating would be). Nothing serves until a ModelPromoted arrives:
 * the ready candidate is never adopted. Then the promoted version (1) is loaded, serves, and GetModel shows its
 * checkpoint and evaluation.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = InstantBackendResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "promotions", value = "true"), @ResourceArg(name = "load", value = "2")})
class PromotionsAppTest {

    @TestHTTPResource("/")
    URL base;

    private ManagedChannel channel;
    private InferenceGrpc.InferenceBlockingStub api;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        api = TestTokens.withToken(InferenceGrpc.newBlockingStub(channel), TestTokens.TEST_TOKEN);
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    @Test
    void onlyAPublishedPromotionIsServedNeverAReadyUnpromotedVersion() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503).body(containsString("FOLLOWING")));
        // Caught up with an empty topic, and version 2 ready on the backend: still nothing serves.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            given().get("/q/health/ready").then().statusCode(503);
            assertThatThrownBy(() -> api.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getModel(GetModelRequest.getDefaultInstance())).isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        });

        Promotions.publish(KafkaTestResource.bootstrapServers(), "mmed", "1");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200).body(containsString("mmed/1")));
        ModelInfo info = api.withDeadlineAfter(10, TimeUnit.SECONDS).getModel(GetModelRequest.getDefaultInstance());
        assertThat(info.getModel().getVersion()).isEqualTo("1");
        assertThat(info.getCheckpointId()).isEqualTo("round-test-step-1");
        assertThat(info.getEvaluation().getMeanAccuracy()).isEqualTo(41.0);
        assertThat(info.getEvaluation().getLanguagesList()).extracting(l -> l.getLanguage())
                .containsExactly("English", "French");
        var it = api.withDeadlineAfter(10, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                .setPrompt("Fever").setMaxTokens(2).build());
        GenerateResponse last = null;
        while (it.hasNext()) {
            last = it.next();
        }
        assertThat(last.getModel().getVersion()).isEqualTo("1");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mmed_inference_promotions_total{outcome=\"promoted\""));
    }
}
