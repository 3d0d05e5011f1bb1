package io.mmedstream.coordinator.dispatch;

import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_A;
import static io.mmedstream.coordinator.testing.TestShards.announcement;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mmedstream.coordinator.testing.CoordinatorTopics;
import io.mmedstream.coordinator.testing.CoordinatorTopicsResource;
import io.mmedstream.coordinator.testing.PlayedCluster;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.TrainingRoundChanged;
import io.mmedstream.proto.TrainingRoundState;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The service with the Kubernetes dispatcher while the cluster's API is out: the fabric8 mock server (CRUD mode)
 * answers the creation of Jobs with 500 and 503 more often than a round has attempts, then recovers. The round waits
 * DISPATCHED with its first attempt and runs once the API is back: one Job, no attempt used up. A Job the API refuses
 * as invalid (422) still fails its round at once.
 */
@QuarkusTest
@TestProfile(KubernetesOutageTest.Profile.class)
@WithKubernetesTestServer(crud = true)
@WithTestResource(CoordinatorTopicsResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesOutageTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String NS = "test";
    private static final String JOBS = "/apis/batch/v1/namespaces/" + NS + "/jobs";

    /** The Kubernetes dispatcher, two attempts per round, quick dispatch retries, no retries inside the client. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> c = new HashMap<>();
            c.put("mmed.coordinator.dispatcher", "kubernetes");
            c.put("mmed.coordinator.kubernetes.namespace", NS);
            c.put("mmed.coordinator.kubernetes.image", "mmedstream/trainer:test");
            c.put("mmed.coordinator.kubernetes.poll-interval", "200ms");
            c.put("mmed.coordinator.policy.min-new-tokens", "1000");
            c.put("mmed.coordinator.rounds.max-attempts", "2");
            c.put("mmed.coordinator.rounds.max-dispatch-retry-backoff", "1s");
            // each refused request reaches the dispatcher (the client would otherwise retry 5xx answers itself)
            c.put("quarkus.kubernetes-client.request-retry-backoff-limit", "0");
            return c;
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    private static CoordinatorTopics topics() {
        return CoordinatorTopicsResource.topics();
    }

    private KubernetesClient client() {
        return server.getClient();
    }

    @Test
    @Order(1)
    void anApiOutageLongerThanTheRoundsAttemptsDelaysItsJobWithoutUsingUpAnAttemptOrCreatingItTwice() {
        // five refusals in a row, more than the round's two attempts (the order of the two kinds does not matter)
        server.expect().post().withPath(JOBS).andReturn(500, status(500, "InternalError",
                "etcdserver: request timed out")).times(2);
        server.expect().post().withPath(JOBS).andReturn(503, status(503, "ServiceUnavailable",
                "the server is currently unable to handle the request")).times(3);
        topics().send(topics().shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));

        cluster().awaitJob("mmed-round-000001-a1");
        assertThat(client().batch().v1().jobs().inNamespace(NS).withLabel("mmedstream.io/round", "round-000001")
                .list().getItems()).extracting(j -> j.getMetadata().getName()).containsExactly("mmed-round-000001-a1");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("mmed_train_dispatch_retries_total{reason=\"http_500\"} 2.0")
                .contains("mmed_train_dispatch_retries_total{reason=\"http_503\"} 3.0");

        cluster().runPod("mmed-round-000001-a1", List.of(
                "{\"event\":\"start\",\"step\":0,\"total_steps\":2}",
                "{\"event\":\"step\",\"step\":2,\"loss\":4.0,\"lr\":0.0005,\"tokens_per_s\":5100.0,"
                        + "\"tokens_seen\":1200}",
                "{\"event\":\"done\",\"step\":2,\"checkpoint\":\"/checkpoints/round-000001/checkpoint-00000002\","
                        + "\"first_loss\":5.0,\"final_loss\":4.0,\"tokens_seen\":1200,"
                        + "\"tokens_per_lang\":{\"en\":1200}}"), null);
        topics().awaitRound("round-000001", TrainingRoundState.RUNNING, TIMEOUT);
        cluster().finishJob("mmed-round-000001-a1", "Complete", null);
        TrainingRoundChanged succeeded = topics().awaitRound("round-000001", TrainingRoundState.SUCCEEDED, TIMEOUT);
        assertThat(succeeded.getAttempt()).isEqualTo(1);
        assertThat(succeeded.getExecution()).isEqualTo("job/mmed-round-000001-a1");
        assertThat(topics().readAll(topics().checkpoints, CheckpointReady.class)).singleElement()
                .satisfies(r -> assertThat(r.value().getCheckpointId()).isEqualTo("round-000001-step-2"));

        // the outage wrote nothing: one DISPATCHED record, no way back to PLANNED, no failure, never a second attempt
        List<TrainingRoundChanged> history = topics().roundHistory("round-000001");
        assertThat(history).extracting(TrainingRoundChanged::getState).startsWith(TrainingRoundState.PLANNED,
                TrainingRoundState.DISPATCHED, TrainingRoundState.RUNNING).endsWith(TrainingRoundState.SUCCEEDED)
                .containsOnlyOnce(TrainingRoundState.PLANNED, TrainingRoundState.DISPATCHED);
        assertThat(history).extracting(TrainingRoundChanged::getAttempt).containsOnly(0, 1);
        assertThat(history).extracting(TrainingRoundChanged::getFailureReason).containsOnlyNulls();
        assertThat(client().batch().v1().jobs().inNamespace(NS).withName("mmed-round-000001-a2").get()).isNull();
    }

    @Test
    @Order(2)
    void aJobTheApiRejectsAsInvalidStillFailsItsRoundAtOnce() {
        server.expect().post().withPath(JOBS).andReturn(422, status(422, "Invalid",
                "Job.batch \"mmed-round-000002-a1\" is invalid: spec.template.spec.containers[0].image: Required"))
                .once();
        topics().send(topics().shards, 1, "s2", announcement("s2", "file:///shards/s2.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));

        TrainingRoundChanged failed = topics().awaitRound("round-000002", TrainingRoundState.FAILED, TIMEOUT);
        assertThat(failed.getAttempt()).isEqualTo(1);
        assertThat(failed.getFailureReason()).isEqualTo("dispatch_failed");
        assertThat(failed.getFailureMessage()).contains("mmed-round-000002-a1").contains("is invalid");
        assertThat(client().batch().v1().jobs().inNamespace(NS).withLabel("mmedstream.io/round", "round-000002")
                .list().getItems()).isEmpty();
    }

    // ---- the test plays the cluster ---------------------------------------------------------------------------------

    private static Status status(int code, String reason, String message) {
        return new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message)
                .build();
    }

    private PlayedCluster cluster() {
        return new PlayedCluster(server, NS, TIMEOUT);
    }
}
