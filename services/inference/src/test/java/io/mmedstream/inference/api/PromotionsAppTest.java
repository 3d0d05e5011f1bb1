package io.mmedstream.inference.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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
 * The packaged service following promotions: a real embedded broker, a KServe v2 backend with nothing loaded. Not
 * ready until a ModelPromoted arrives; then the promoted version is loaded, serves, and GetModel shows its checkpoint
 * and evaluation.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = InstantBackendResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "promotions", value = "true"))
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
    void aPublishedPromotionIsLoadedAndServed() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503).body(containsString("FOLLOWING")));

        Promotions.publish(KafkaTestResource.bootstrapServers(), "mmed", "2");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200).body(containsString("mmed/2")));
        ModelInfo info = api.withDeadlineAfter(10, TimeUnit.SECONDS).getModel(GetModelRequest.getDefaultInstance());
        assertThat(info.getModel().getVersion()).isEqualTo("2");
        assertThat(info.getCheckpointId()).isEqualTo("round-test-step-2");
        assertThat(info.getEvaluation().getMeanAccuracy()).isEqualTo(42.0);
        assertThat(info.getEvaluation().getLanguagesList()).extracting(l -> l.getLanguage())
                .containsExactly("English", "French");
        var it = api.withDeadlineAfter(10, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                .setPrompt("Fever").setMaxTokens(2).build());
        GenerateResponse last = null;
        while (it.hasNext()) {
            last = it.next();
        }
        assertThat(last.getModel().getVersion()).isEqualTo("2");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mmed_inference_promotions_total{outcome=\"promoted\""));
    }
}
