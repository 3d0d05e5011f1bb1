package io.mmedstream.coordinator.dispatch;

import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_A;
import static io.mmedstream.coordinator.testing.TestShards.announcement;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
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
 * The service with the Kubernetes dispatcher against the fabric8 Kubernetes mock server (CRUD mode) and the real
 * embedded broker: shards become a Job with the configured GPUs, node selector, tolerations and volumes; the
 * trainer's progress is read from the pod's log; the Job's conditions end the round; a CheckpointReady follows.
 * The test plays the cluster: it creates the pod and sets the Job's status.
 */
@QuarkusTest
@TestProfile(KubernetesRoundTest.Profile.class)
@WithKubernetesTestServer(crud = true)
@WithTestResource(CoordinatorTopicsResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesRoundTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String NS = "test";

    /** The Kubernetes dispatcher, with GPUs and scheduling constraints. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> c = new HashMap<>();
            c.put("mmed.coordinator.dispatcher", "kubernetes");
            c.put("mmed.coordinator.kubernetes.namespace", NS);
            c.put("mmed.coordinator.kubernetes.image", "mmedstream/trainer:test");
            c.put("mmed.coordinator.kubernetes.gpus-per-node", "2");
            c.put("mmed.coordinator.kubernetes.cpu", "8");
            c.put("mmed.coordinator.kubernetes.memory", "64Gi");
            c.put("mmed.coordinator.kubernetes.node-selector", "nvidia.com/gpu.product=H100,pool=train");
            c.put("mmed.coordinator.kubernetes.tolerations", "nvidia.com/gpu:NoSchedule,dedicated=training:NoExecute");
            c.put("mmed.coordinator.kubernetes.queue-name", "gpu-queue");
            c.put("mmed.coordinator.kubernetes.env", "NCCL_DEBUG=WARN");
            c.put("mmed.coordinator.kubernetes.poll-interval", "200ms");
            c.put("mmed.coordinator.policy.min-new-tokens", "1000");
            c.put("mmed.coordinator.rounds.max-attempts", "1");
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
    void aRoundRunsAsAJobWithGpusAndItsCheckpointIsAnnounced() throws Exception {
        topics().send(topics().shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));
        Job job = cluster().awaitJob("mmed-round-000001-a1");

        assertThat(job.getMetadata().getLabels()).containsEntry("mmedstream.io/round", "round-000001")
                .containsEntry("mmedstream.io/attempt", "1").containsEntry("kueue.x-k8s.io/queue-name", "gpu-queue");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getCompletions()).isEqualTo(1);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.product", "H100").containsEntry("pool",
                "train");
        assertThat(pod.getTolerations()).extracting(Toleration::getKey, Toleration::getOperator,
                Toleration::getValue, Toleration::getEffect).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("nvidia.com/gpu", "Exists", null, "NoSchedule"),
                        org.assertj.core.groups.Tuple.tuple("dedicated", "Equal", "training", "NoExecute"));
        Container trainer = pod.getContainers().get(0);
        assertThat(trainer.getImage()).isEqualTo("mmedstream/trainer:test");
        assertThat(trainer.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"))
                .containsEntry("cpu", new Quantity("8")).containsEntry("memory", new Quantity("64Gi"));
        assertThat(trainer.getCommand()).containsSequence("torchrun", "--nnodes", "1", "--nproc-per-node", "2", "-m",
                "mmed_trainer", "--manifest", "/etc/mmed/round/round.json", "--output", "/checkpoints/round-000001",
                "--resume", "--config", "/etc/mmed/round/model-config.json");
        assertThat(trainer.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NCCL_DEBUG");
            assertThat(e.getValue()).isEqualTo("WARN");
        });
        assertThat(trainer.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/shards");
            assertThat(m.getReadOnly()).isTrue();
        }).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/checkpoints"));
        assertThat(pod.getVolumes()).extracting(Volume::getName).contains("shards", "checkpoints", "round", "dshm");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("shards")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("mmed-shards"));

        ConfigMap manifest = client().configMaps().inNamespace(NS).withName("mmed-round-000001").get();
        JsonNode json = new ObjectMapper().readTree(manifest.getData().get("round.json"));
        assertThat(json.get("shards").get(0).asText()).isEqualTo("/shards/s1.json");
        assertThat(manifest.getData()).containsKey("model-config.json");

        cluster().runPod("mmed-round-000001-a1", List.of(
                "{\"event\":\"start\",\"step\":0,\"total_steps\":2}",
                "{\"event\":\"step\",\"step\":1,\"loss\":5.0,\"lr\":0.001,\"tokens_per_s\":5000.0,\"tokens_seen\":600}",
                "{\"event\":\"checkpoint\",\"step\":1,\"path\":\"/checkpoints/round-000001/checkpoint-00000001\","
                        + "\"tokens_seen\":600,\"tokens_per_lang\":{\"en\":600}}",
                "{\"event\":\"step\",\"step\":2,\"loss\":4.0,\"lr\":0.0005,\"tokens_per_s\":5100.0,"
                        + "\"tokens_seen\":1200}",
                "{\"event\":\"done\",\"step\":2,\"checkpoint\":\"/checkpoints/round-000001/checkpoint-00000002\","
                        + "\"first_loss\":5.0,\"final_loss\":4.0,\"tokens_seen\":1200,"
                        + "\"tokens_per_lang\":{\"en\":1200}}"),
                null);
        TrainingRoundChanged running = topics().awaitRound("round-000001", TrainingRoundState.RUNNING, TIMEOUT);
        assertThat(running.getExecution()).isEqualTo("job/mmed-round-000001-a1");
        await().atMost(TIMEOUT).until(() -> topics().latestRound("round-000001").getLastCheckpointUri() != null);
        assertThat(topics().latestRound("round-000001").getLastCheckpointUri())
                .isEqualTo("file:///checkpoints/round-000001/checkpoint-00000001");

        cluster().finishJob("mmed-round-000001-a1", "Complete", null);
        CheckpointReady checkpoint = await().atMost(TIMEOUT).until(
                () -> topics().readAll(topics().checkpoints, CheckpointReady.class), l -> !l.isEmpty()).get(0).value();
        assertThat(checkpoint.getUri()).isEqualTo("file:///checkpoints/round-000001/checkpoint-00000002");
        assertThat(checkpoint.getCheckpointId()).isEqualTo("round-000001-step-2");
        assertThat(checkpoint.getFirstTrainLoss()).isEqualTo(5.0);
        assertThat(checkpoint.getFinalTrainLoss()).isEqualTo(4.0);
        assertThat(checkpoint.getTokensPerLang()).containsEntry("en", 1200L);
        assertThat(topics().latestRound("round-000001").getState()).isEqualTo(TrainingRoundState.SUCCEEDED);
    }

    @Test
    @Order(2)
    void theNextRoundContinuesTheCheckpointAndAFailedJobFailsItWithTheTrainersReason() {
        topics().send(topics().shards, 1, "s2", announcement("s2", "file:///shards/s2.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));
        Job job = cluster().awaitJob("mmed-round-000002-a1");
        List<String> command = job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
        assertThat(command).containsSequence("--init", "/checkpoints/round-000001/checkpoint-00000002")
                .doesNotContain("--config");

        cluster().runPod("mmed-round-000002-a1", List.of(
                "{\"event\":\"start\",\"step\":0,\"total_steps\":2}",
                "{\"event\":\"error\",\"reason\":\"bad_data\",\"retriable\":false,\"exit_code\":65,"
                        + "\"message\":\"shard s2: a document does not end with EOS\",\"rank\":0}"),
                65);
        cluster().finishJob("mmed-round-000002-a1", "Failed", "BackoffLimitExceeded");
        TrainingRoundChanged failed = topics().awaitRound("round-000002", TrainingRoundState.FAILED, TIMEOUT);
        assertThat(failed.getFailureReason()).isEqualTo("bad_data");
        assertThat(failed.getFailureMessage()).isEqualTo("shard s2: a document does not end with EOS");
    }

    @Test
    @Order(3)
    void cancellingARoundDeletesItsJob() {
        topics().send(topics().shards, 2, "s3", announcement("s3", "file:///shards/s3.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));
        cluster().awaitJob("mmed-round-000003-a1");
        given().post("/rounds/round-000003/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        await().atMost(TIMEOUT).until(() -> client().batch().v1().jobs().inNamespace(NS)
                .withName("mmed-round-000003-a1").get() == null);
        await().atMost(TIMEOUT).until(() -> client().configMaps().inNamespace(NS).withName("mmed-round-000003")
                .get() == null);
    }

    private PlayedCluster cluster() {
        return new PlayedCluster(server, NS, TIMEOUT);
    }
}
