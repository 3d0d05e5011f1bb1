package io.mmedstream.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.domain.RoundStatus;
import io.mmedstream.coordinator.domain.Trigger;
import io.mmedstream.coordinator.service.AttemptOutcome;
import io.mmedstream.coordinator.service.TrainerEvent;
import io.mmedstream.coordinator.testing.TestShards;
import io.vertx.core.http.HttpClosedException;

/** The Kubernetes dispatcher on its own against the fabric8 mock server (CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class KubernetesDispatcherTest {

    private static final String NS = "training";

    KubernetesClient client;
    KubernetesMockServer server;

    private KubernetesDispatcher dispatcher;
    private final Recorder recorder = new Recorder();

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    static KubernetesDispatcher.Settings settings(KubernetesDispatcher.Kind kind, int nodes, int gpus) {
        return new KubernetesDispatcher.Settings(Optional.of(NS), kind, "mmedstream/trainer:test", "IfNotPresent",
                Optional.of("trainer-sa"), nodes, gpus, gpus, "nvidia.com/gpu", Optional.empty(), Optional.empty(),
                Map.of("pool", "gpu"), List.of("nvidia.com/gpu:NoSchedule"), "shards-pvc", "/data/shards",
                "file:///var/lib/mmed/shards", "ckpt-pvc", "/data/ckpt", "s3://bucket/ckpt", Optional.empty(),
                "torch-distributed", 29500, Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(30),
                Duration.ofMillis(100), 50, Map.of(), "python3", Optional.empty());
    }

    static Round round(String id, int attempt, String parentUri) {
        PooledShard shard = TestShards.shard("s1", TestShards.TOKENIZER_A, Map.of("en", 5000L), Instant.now(), 0, 0);
        PooledShard tokenizeUri = new PooledShard(shard.shardId(), "file:///var/lib/mmed/shards/s1.json",
                shard.tokenizerName(), shard.tokenizerSha256(), shard.seqLen(), shard.tokenCount(),
                shard.tokensPerLang(), shard.readyAt(), 0, 0);
        RoundPlan plan = new RoundPlan(id, Trigger.MANUAL, Instant.now(), "internlm2", TestShards.TOKENIZER_A, 64,
                List.of(tokenizeUri), 5000, Map.of("en", 5000L), Map.of("en", 1.0), "weights",
                parentUri == null ? null : "round-000001-step-9", parentUri, parentUri == null ? "{}" : null, 9,
                4096, List.of("--lr", "0.001"), "kubernetes", 3, "s3://bucket/ckpt/" + id);
        Round planned = Round.planned(plan);
        return planned.toBuilder().status(RoundStatus.DISPATCHED).attempt(attempt).build();
    }

    @Test
    void multiNodeRoundsRunAsAnIndexedJobWithATorchrunRendezvous() {
        dispatcher = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.JOB, 2, 4));
        assertThat(dispatcher.worldSize()).isEqualTo(8);
        assertThat(dispatcher.outputUri("round-000002")).isEqualTo("s3://bucket/ckpt/round-000002");
        Round round = round("round-000002", 1, "s3://bucket/ckpt/round-000001/checkpoint-00000009");
        dispatcher.start(round, recorder);

        Job job = client.batch().v1().jobs().inNamespace(NS).withName("mmed-round-000002-a1").get();
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(2);
        assertThat(job.getSpec().getParallelism()).isEqualTo(2);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getSubdomain()).isEqualTo("mmed-round-000002-a1");
        assertThat(pod.getServiceAccountName()).isEqualTo("trainer-sa");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30);
        // The "restricted" Pod Security level: non-root by number, default seccomp, no escalation, no capabilities.
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container trainer = pod.getContainers().get(0);
        assertThat(trainer.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(trainer.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(trainer.getCommand()).containsSequence("torchrun", "--nnodes", "2", "--nproc-per-node", "4",
                "--node-rank", "$(NODE_RANK)", "--master-addr", "mmed-round-000002-a1-0.mmed-round-000002-a1",
                "--master-port", "29500", "-m", "mmed_trainer", "--manifest", "/etc/mmed/round/round.json",
                "--output", "/data/ckpt/round-000002", "--resume", "--init",
                "/data/ckpt/round-000001/checkpoint-00000009", "--lr", "0.001");
        assertThat(trainer.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NODE_RANK");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
        });
        Service service = client.services().inNamespace(NS).withName("mmed-round-000002-a1").get();
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getSelector()).containsEntry("job-name", "mmed-round-000002-a1");
        String manifest = client.configMaps().inNamespace(NS).withName("mmed-round-000002").get().getData()
                .get("round.json");
        assertThat(manifest).contains("\"/data/shards/s1.json\"");
    }

    @Test
    void aJobThatExistsAlreadyIsAdoptedNotCreatedTwice() {
        dispatcher = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.JOB, 1, 1));
        Round round = round("round-000001", 1, null);
        dispatcher.start(round, recorder);
        // a new coordinator process resumes the same attempt
        KubernetesDispatcher restarted = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.JOB, 1,
                1));
        try {
            restarted.resume(round, recorder);
            assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).hasSize(1);
            Job job = client.batch().v1().jobs().inNamespace(NS).withName("mmed-round-000001-a1").get();
            assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
                    .startsWith("python3", "-m", "mmed_trainer");
        } finally {
            restarted.close();
        }
    }

    @Test
    void aSucceededJobWithoutALogEndsWithTheRoundsLastCheckpoint() {
        dispatcher = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.JOB, 1, 1));
        Round round = round("round-000001", 1, null);
        dispatcher.start(round, recorder);
        Job job = client.batch().v1().jobs().inNamespace(NS).withName("mmed-round-000001-a1").get();
        client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder(job).withNewStatus().addNewCondition()
                .withType("Complete").withStatus("True").endCondition().endStatus().build()).updateStatus();
        AttemptOutcome outcome = recorder.awaitOutcome();
        assertThat(outcome).isInstanceOfSatisfying(AttemptOutcome.Succeeded.class, s -> {
            assertThat(s.checkpointUri()).isEqualTo("s3://bucket/ckpt/round-000001/checkpoint-00000009");
            assertThat(s.step()).isEqualTo(9);
            assertThat(s.finalLoss()).isNull();
        });
    }

    @Test
    void stoppingAnAttemptDeletesItsJobAndReportsTheReason() {
        dispatcher = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.JOB, 1, 1));
        Execution execution = dispatcher.start(round("round-000001", 2, null), recorder);
        execution.stop(new Failure(Failure.STALLED, "no progress for 900s", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.batch().v1().jobs().inNamespace(NS)
                .withName("mmed-round-000001-a2").get() == null);
        AttemptOutcome outcome = recorder.awaitOutcome();
        assertThat(outcome).isEqualTo(new AttemptOutcome.Failed(new Failure(Failure.STALLED, "no progress for 900s",
                true)));
        assertThat(recorder.attempts).containsOnly(2);
    }

    @Test
    void aJobDeletedBehindTheCoordinatorsBackIsReportedLost() {
        dispatcher = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.JOB, 1, 1));
        dispatcher.start(round("round-000001", 1, null), recorder);
        client.batch().v1().jobs().inNamespace(NS).withName("mmed-round-000001-a1").delete();
        AttemptOutcome outcome = recorder.awaitOutcome();
        assertThat(outcome).isInstanceOfSatisfying(AttemptOutcome.Failed.class, f -> {
            assertThat(f.failure().reason()).isEqualTo(Failure.LOST);
            assertThat(f.failure().retriable()).isTrue();
        });
    }

    @Test
    void aTrainJobCarriesTheTrainerTheGpusAndTheVolumes() {
        dispatcher = new KubernetesDispatcher(client, settings(KubernetesDispatcher.Kind.TRAINJOB, 2, 8));
        Round round = round("round-000001", 1, null);
        assertThat(dispatcher.executionHandle(round, 1)).isEqualTo("trainjob/mmed-round-000001-a1");
        dispatcher.start(round, recorder);
        GenericKubernetesResource job = client.genericKubernetesResources(KubernetesDispatcher.TRAINJOB)
                .inNamespace(NS).withName("mmed-round-000001-a1").get();
        assertThat(job.getApiVersion()).isEqualTo("trainer.kubeflow.org/v1alpha1");
        assertThat(job.getKind()).isEqualTo("TrainJob");
        assertThat(job.<String> get("spec", "runtimeRef", "name")).isEqualTo("torch-distributed");
        assertThat(job.<String> get("spec", "trainer", "image")).isEqualTo("mmedstream/trainer:test");
        assertThat(job.<Integer> get("spec", "trainer", "numNodes")).isEqualTo(2);
        assertThat(job.<Integer> get("spec", "trainer", "numProcPerNode")).isEqualTo(8);
        assertThat(job.<String> get("spec", "trainer", "resourcesPerNode", "limits", "nvidia.com/gpu"))
                .isEqualTo("8");
        List<String> command = job.get("spec", "trainer", "command");
        assertThat(command).containsSequence("torchrun", "-m", "mmed_trainer", "--manifest",
                "/etc/mmed/round/round.json", "--output", "/data/ckpt/round-000001", "--resume", "--config",
                "/etc/mmed/round/model-config.json");
        List<Map<String, Object>> overrides = job.get("spec", "podTemplateOverrides");
        assertThat(overrides).singleElement().satisfies(o -> assertThat(o.toString()).contains("shards-pvc")
                .contains("ckpt-pvc").contains("nvidia.com/gpu").contains("pool=gpu"));

        GenericKubernetesResource done = client.genericKubernetesResources(KubernetesDispatcher.TRAINJOB)
                .inNamespace(NS).withName("mmed-round-000001-a1").get();
        done.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Failed", "status", "True",
                "reason", "DeadlineExceeded", "message", "too slow"))));
        client.genericKubernetesResources(KubernetesDispatcher.TRAINJOB).inNamespace(NS).resource(done).update();
        AttemptOutcome outcome = recorder.awaitOutcome();
        assertThat(outcome).isInstanceOfSatisfying(AttemptOutcome.Failed.class, f -> {
            assertThat(f.failure().reason()).isEqualTo(Failure.TIMED_OUT);
            assertThat(f.failure().retriable()).isTrue();
        });
    }

    @Test
    void anOutageOfTheApiIsUnavailableWhileBadRequestsStayPermanentAndOtherErrorsCountAsAnAttempt() {
        assertThat(KubernetesDispatcher.startFailure(new KubernetesClientException("refused", new IOException(
                "Connection refused")), "cannot create job")).satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.DISPATCH_UNAVAILABLE);
                    assertThat(e.detail()).isEqualTo("no_response");
                    assertThat(e.getMessage()).startsWith("cannot create job: the API server is unavailable");
                });
        for (int code : new int[] {429, 500, 502, 503, 504}) {
            assertThat(KubernetesDispatcher.startFailure(new KubernetesClientException("HTTP " + code, code, null),
                    "cannot create job")).as("HTTP %d", code).satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.DISPATCH_UNAVAILABLE);
                        assertThat(e.detail()).isEqualTo("http_" + code);
                    });
        }
        for (int code : new int[] {400, 403, 422}) {
            assertThat(KubernetesDispatcher.startFailure(new KubernetesClientException("HTTP " + code, code, null),
                    "cannot create job").reason()).as("HTTP %d", code)
                    .isEqualTo(CoordinatorException.Reason.DISPATCH_PERMANENT);
        }
        for (int code : new int[] {401, 404, 501}) {
            assertThat(KubernetesDispatcher.startFailure(new KubernetesClientException("HTTP " + code, code, null),
                    "cannot create job").reason()).as("HTTP %d", code)
                    .isEqualTo(CoordinatorException.Reason.DISPATCH_RETRIABLE);
        }
    }

    @Test
    void aFailureWithoutAnHttpStatusIsAnOutageOnlyWhenTheNetworkFailed() {
        // the client gives -1 to whatever it wraps: a network failure somewhere in the causes is an outage...
        List<Throwable> network = List.of(new SocketTimeoutException("Read timed out"),
                new ConnectException("Connection refused"), new IOException("Connection reset"),
                new ExecutionException(new UnknownHostException("kubernetes.default.svc")),
                new CompletionException(new TimeoutException("The timeout period of 10000ms has been exceeded")),
                new HttpClosedException("Connection was closed"));
        for (Throwable cause : network) {
            KubernetesClientException failure = new KubernetesClientException("An error has occurred.", cause);
            assertThat(failure.getCode()).isEqualTo(-1);
            assertThat(KubernetesDispatcher.startFailure(failure, "cannot create job")).as("%s", cause)
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.DISPATCH_UNAVAILABLE);
                        assertThat(e.detail()).isEqualTo("no_response");
                    });
        }
        // ...a client-side error is not: it would fail the same way for ever, so it uses up an attempt
        List<KubernetesClientException> clientSide = List.of(
                new KubernetesClientException("An error has occurred.", new IllegalArgumentException(
                        "Cannot serialize the job: unknown field")),
                new KubernetesClientException("An error has occurred.", new IllegalStateException(
                        "unexpected", new NullPointerException())),
                new KubernetesClientException("Something went wrong"),
                new KubernetesClientException("HTTP 0", 0, null));
        for (KubernetesClientException failure : clientSide) {
            assertThat(KubernetesDispatcher.startFailure(failure, "cannot create job")).as("%s", failure)
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.DISPATCH_RETRIABLE);
                        assertThat(e.detail()).isEqualTo("client_error");
                        assertThat(e.getMessage()).startsWith("cannot create job: ")
                                .doesNotContain("unavailable");
                    });
        }
    }

    @Test
    void anApiServerThatDoesNotAnswerMakesTheStartUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // nothing listens there once it is closed
        }
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + closedPort)
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(2000).withRequestTimeout(2000).build();
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(config).build()) {
            dispatcher = new KubernetesDispatcher(unreachable, settings(KubernetesDispatcher.Kind.JOB, 1, 1));
            assertThatThrownBy(() -> dispatcher.start(round("round-000001", 1, null), recorder))
                    .isInstanceOfSatisfying(CoordinatorException.class, e -> {
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.DISPATCH_UNAVAILABLE);
                        assertThat(e.detail()).isEqualTo("no_response");
                    });
        }
    }

    @Test
    void aCreateRefusedWith503IsUnavailableAndTheNextTryAdoptsAJobTheServerMadeAnyway() {
        // the client's own retries are off, so that each 503 reaches the dispatcher
        try (KubernetesClient once = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
            dispatcher = new KubernetesDispatcher(once, settings(KubernetesDispatcher.Kind.JOB, 1, 1));
            server.expect().post().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs").andReturn(503,
                    new StatusBuilder().withStatus("Failure").withCode(503).withReason("ServiceUnavailable")
                            .withMessage("etcd leader changed").build()).once();
            Round round = round("round-000001", 1, null);
            assertThatThrownBy(() -> dispatcher.start(round, recorder))
                    .isInstanceOfSatisfying(CoordinatorException.class, e -> {
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.DISPATCH_UNAVAILABLE);
                        assertThat(e.detail()).isEqualTo("http_503");
                        assertThat(e.getMessage()).contains("mmed-round-000001-a1");
                    });
            // The API server may have applied a create whose answer was lost: the job of this very attempt exists.
            once.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata()
                    .withName("mmed-round-000001-a1").withNamespace(NS)
                    .addToLabels(KubernetesDispatcher.ROUND_LABEL, "round-000001")
                    .addToLabels(KubernetesDispatcher.MANAGED_BY, KubernetesDispatcher.MANAGER)
                    .addToAnnotations("test", "made by the lost create").endMetadata().withNewSpec()
                    .withNewTemplate().withNewSpec().addNewContainer().withName("trainer").withImage("t")
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();

            dispatcher.start(round, recorder); // the coordinator starts the same attempt again: it adopts that job

            assertThat(once.batch().v1().jobs().inNamespace(NS).withLabel(KubernetesDispatcher.ROUND_LABEL,
                    "round-000001").list().getItems()).singleElement().satisfies(j -> assertThat(j.getMetadata()
                            .getAnnotations()).containsEntry("test", "made by the lost create"));
            Job job = once.batch().v1().jobs().inNamespace(NS).withName("mmed-round-000001-a1").get();
            once.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder(job).withNewStatus().addNewCondition()
                    .withType("Complete").withStatus("True").endCondition().endStatus().build()).updateStatus();
            assertThat(recorder.awaitOutcome()).isInstanceOf(AttemptOutcome.Succeeded.class);
            assertThat(recorder.attempts).containsOnly(1);
        }
    }

    @Test
    void tolerationsAreParsedAndMalformedOnesRejected() {
        assertThat(KubernetesDispatcher.tolerations(List.of("a", "b:NoExecute", "c=d", "e=f:PreferNoSchedule")))
                .extracting(t -> t.getKey() + "|" + t.getOperator() + "|" + t.getValue() + "|" + t.getEffect())
                .containsExactly("a|Exists|null|null", "b|Exists|null|NoExecute", "c|Equal|d|null",
                        "e|Equal|f|PreferNoSchedule");
        assertThatThrownBy(() -> KubernetesDispatcher.tolerations(List.of("x:Sometimes")))
                .hasMessageContaining("key[=value]");
    }

    /** Collects what the dispatcher reports. */
    static final class Recorder implements ExecutionListener {
        final List<TrainerEvent> events = new CopyOnWriteArrayList<>();
        final List<AttemptOutcome> outcomes = new CopyOnWriteArrayList<>();
        final List<Integer> attempts = new CopyOnWriteArrayList<>();

        @Override
        public void progress(String roundId, int attempt, TrainerEvent event) {
            events.add(event);
            attempts.add(attempt);
        }

        @Override
        public void ended(String roundId, int attempt, AttemptOutcome outcome) {
            outcomes.add(outcome);
            attempts.add(attempt);
        }

        AttemptOutcome awaitOutcome() {
            await().atMost(Duration.ofSeconds(20)).until(() -> !outcomes.isEmpty());
            return outcomes.get(0);
        }
    }
}
