package io.mmedstream.inference.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GetModelRequest;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The packaged service without a backend: gRPC wiring, health, reflection, admin endpoint and status codes. */
@QuarkusTest
class InferenceAppTest {

    @TestHTTPResource("/")
    URL base;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    @Test
    void withoutABackendGenerateAndGetModelAreUnavailable() {
        var stub = TestTokens.withToken(InferenceGrpc.newBlockingStub(channel), TestTokens.TEST_TOKEN)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> stub.generate(GenerateRequest.newBuilder().setPrompt("Hi").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> stub.getModel(GetModelRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> stub.generate(GenerateRequest.newBuilder().setPrompt("Hi").setMaxTokens(0).build())
                .next()).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("max_tokens:");
                });
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mmed_inference_requests_total{outcome=\"UNAVAILABLE\",rpc=\"Generate\""));
    }

    @Test
    void theInferenceApiNeedsAValidBearerToken() {
        var noToken = InferenceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> noToken.getModel(GetModelRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("authorization: Bearer");
                });
        var wrong = TestTokens.withToken(InferenceGrpc.newBlockingStub(channel), "wrong-token-0123456789abcdef")
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> wrong.getModel(GetModelRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("invalid bearer token");
                });
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mmed_inference_requests_total{outcome=\"UNAUTHENTICATED\",rpc=\"GetModel\""));
    }

    @Test
    void adminEndpointsNeedAnAdminClientsToken() {
        given().contentType("application/json").body("{\"model\": \"mmed\", \"version\": \"2\"}")
                .post("/admin/promote").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .body("reason", equalTo("UNAUTHENTICATED"));
        given().header("Authorization", "Bearer not-a-token-0123456789").get("/admin/model").then().statusCode(401)
                .body("message", equalTo("invalid bearer token"));
        given().header("Authorization", "Bearer " + TestTokens.OTHER_TOKEN).get("/admin/model").then()
                .statusCode(403).body("reason", equalTo("FORBIDDEN"));
        given().header("Authorization", "Bearer " + TestTokens.TEST_TOKEN).get("/admin/model").then()
                .statusCode(503);
    }

    @Test
    void standardGrpcHealthAnswers() {
        HealthOuterClass.HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthOuterClass.HealthCheckRequest.newBuilder().setService("").build());
        assertThat(response.getStatus()).isIn(HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING,
                HealthOuterClass.HealthCheckResponse.ServingStatus.NOT_SERVING);
    }

    @Test
    void serverReflectionListsTheInferenceAndHealthServices() throws Exception {
        List<String> services = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        value.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(services).contains("mmedstream.inference.v1.Inference", "grpc.health.v1.Health");
    }

    @Test
    void adminPromoteValidatesAndReportsABackendThatCannotLoad() {
        given().header("Authorization", "Bearer " + TestTokens.TEST_TOKEN).contentType("application/json")
                .body("{\"model\": \"\", \"version\": \"2\"}").post("/admin/promote").then().statusCode(400)
                .body("reason", equalTo("INVALID_ARGUMENT"))
                .body("message", containsString("model:"));
        given().header("Authorization", "Bearer " + TestTokens.TEST_TOKEN).contentType("application/json")
                .body("{\"model\": \"mmed\", \"version\": \"2\"}").post("/admin/promote").then().statusCode(409)
                .body("reason", equalTo("PROMOTION_FAILED"));
        given().header("Authorization", "Bearer " + TestTokens.TEST_TOKEN).get("/admin/model").then()
                .statusCode(503);
    }

    @Test
    void notReadyWithoutAServingModel() {
        given().get("/q/health/ready").then().statusCode(503).body(containsString("serving-model"))
                .body(containsString("DISABLED"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void theModelServersOwnApplicationPropertiesDoNotConfigureThisService() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.application.name", String.class))
                .isEqualTo("inference");
        assertThat(ConfigProvider.getConfig().getOptionalValue("mmed.model-server.repository.path", String.class))
                .isEmpty();
    }
}
