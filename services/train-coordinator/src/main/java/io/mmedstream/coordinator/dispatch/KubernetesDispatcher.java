package io.mmedstream.coordinator.dispatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.service.AttemptOutcome;
import io.mmedstream.coordinator.service.FileUris;
import io.mmedstream.coordinator.service.AttemptOutcome.ExitCodes;
import io.mmedstream.coordinator.service.TrainerEvent;
import io.quarkus.logging.Log;
import io.vertx.core.http.HttpClosedException;

/**
 * Runs each attempt on Kubernetes: a {@code batch/v1} Job (one node, or an Indexed Job with a headless Service for
 * several nodes), or a Kubeflow Trainer {@code TrainJob} ({@code trainer.kubeflow.org/v1alpha1}) on a
 * ClusterTrainingRuntime that launches {@code torchrun}. Both request GPUs, set the node selector and tolerations,
 * and mount the shards volume (read-only), the checkpoints volume and the round manifest (a ConfigMap per round).
 *
 * <p>Names are functions of the round and attempt ({@code mmed-<round>-a<attempt>}), so creating an attempt that
 * exists already adopts it. The dispatcher watches its Jobs and polls every execution: the Job's conditions give the
 * outcome, the log of the rank-0 pod gives the progress lines; the exit code of the trainer's container classifies
 * a failure. Stopping an attempt deletes its Job (the pods get SIGTERM and the trainer checkpoints within the grace
 * period). Retries are the coordinator's: a Job has {@code backoffLimit: 0}. An attempt that cannot be created
 * because the API server is unavailable is {@code DISPATCH_UNAVAILABLE} ({@link #startFailure}): the coordinator
 * creates the same attempt again later, which adopts whatever the earlier try left.
 */
public final class KubernetesDispatcher implements Dispatcher {

    /** Name of this dispatcher in round records. */
    public static final String NAME = "kubernetes";

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGER = "mmed-train-coordinator";
    static final String ROUND_LABEL = "mmedstream.io/round";
    static final String ATTEMPT_LABEL = "mmedstream.io/attempt";
    static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
    static final String CONTAINER = "trainer";
    static final String TRAINJOB_CONTAINER = "node";
    static final String MANIFEST_MOUNT = "/etc/mmed/round";
    static final String JOB_NAME_LABEL = "job-name";
    static final String JOBSET_NAME_LABEL = "jobset.sigs.k8s.io/jobset-name";
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

    /** The user and group of the trainer image (services/trainer/Dockerfile): numeric, so runAsNonRoot can be checked. */
    static final long TRAINER_UID = 1000;

    /** The TrainJob resource (Kubeflow Trainer v2). */
    static final ResourceDefinitionContext TRAINJOB = new ResourceDefinitionContext.Builder()
            .withGroup("trainer.kubeflow.org").withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs")
            .withNamespaced(true).build();

    private static final Pattern TOLERATION = Pattern.compile(
            "(?<key>[^=:]+)(?:=(?<value>[^:]*))?(?::(?<effect>NoSchedule|PreferNoSchedule|NoExecute))?");

    /** What kind of resource runs an attempt. */
    public enum Kind {
        /** {@code batch/v1} Job. */
        JOB,
        /** Kubeflow Trainer {@code TrainJob}. */
        TRAINJOB
    }

    /**
     * The dispatcher's settings.
     *
     * @param namespace namespace of the Jobs (empty: the client's)
     * @param kind Job or TrainJob
     * @param image the trainer image
     * @param imagePullPolicy pull policy of the image
     * @param serviceAccount service account of the pods, when set
     * @param nodes nodes per attempt
     * @param gpusPerNode GPUs requested per node
     * @param procsPerNode trainer processes per node (torchrun --nproc-per-node)
     * @param gpuResource the extended resource name of a GPU
     * @param cpu CPU request and limit per node, when set
     * @param memory memory request and limit per node, when set
     * @param nodeSelector node labels the pods need
     * @param tolerations taints the pods tolerate, as {@code key[=value][:Effect]}
     * @param shardsClaim PersistentVolumeClaim holding the shards
     * @param shardsMountPath where it is mounted (read-only)
     * @param shardsUriPrefix the prefix of ShardReady URIs that stands for that mount
     * @param checkpointsClaim PersistentVolumeClaim for checkpoints
     * @param checkpointsMountPath where it is mounted
     * @param checkpointsUriPrefix the URI of that volume's root as CheckpointReady names it
     * @param queueName Kueue queue, when set
     * @param trainJobRuntime the ClusterTrainingRuntime of TrainJobs
     * @param masterPort rendezvous port of multi-node Jobs
     * @param activeDeadline longest an attempt may run
     * @param ttlAfterFinished how long finished Jobs are kept
     * @param stopGrace termination grace period of the pods (the trainer checkpoints on SIGTERM)
     * @param pollInterval how often executions are polled
     * @param logTailLines progress lines read from the log per poll
     * @param env extra environment of the trainer
     * @param python the interpreter in the image (single-process attempts)
     * @param tokenizerDir tokenizer files in the pod to copy into checkpoints, when set
     */
    public record Settings(Optional<String> namespace, Kind kind, String image, String imagePullPolicy,
            Optional<String> serviceAccount, int nodes, int gpusPerNode, int procsPerNode, String gpuResource,
            Optional<String> cpu, Optional<String> memory, Map<String, String> nodeSelector, List<String> tolerations,
            String shardsClaim, String shardsMountPath, String shardsUriPrefix, String checkpointsClaim,
            String checkpointsMountPath, String checkpointsUriPrefix, Optional<String> queueName,
            String trainJobRuntime, int masterPort, Duration activeDeadline, Duration ttlAfterFinished,
            Duration stopGrace, Duration pollInterval, int logTailLines, Map<String, String> env, String python,
            Optional<String> tokenizerDir) {

        public Settings {
            if (nodes < 1 || procsPerNode < 1 || gpusPerNode < 0) {
                throw new IllegalArgumentException("nodes and processes per node must be positive, GPUs >= 0");
            }
            nodeSelector = Map.copyOf(nodeSelector);
            tolerations = List.copyOf(tolerations);
            env = Map.copyOf(env);
            shardsMountPath = stripSlash(shardsMountPath);
            checkpointsMountPath = stripSlash(checkpointsMountPath);
            shardsUriPrefix = stripSlash(shardsUriPrefix);
            checkpointsUriPrefix = stripSlash(checkpointsUriPrefix);
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final String namespace;
    private final Map<String, K8sExecution> executions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kubernetes-dispatcher");
        t.setDaemon(true);
        return t;
    });
    private volatile Watch watch;

    public KubernetesDispatcher(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
        this.namespace = settings.namespace().filter(s -> !s.isBlank()).orElseGet(() -> {
            String ns = client.getNamespace();
            return ns == null ? "default" : ns;
        });
        tolerations(settings.tolerations()); // fail at start-up on a malformed toleration, not at the first round
        long every = settings.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollAll, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int worldSize() {
        return settings.nodes() * settings.procsPerNode();
    }

    @Override
    public String outputUri(String roundId) {
        return settings.checkpointsUriPrefix() + "/" + roundId;
    }

    @Override
    public String executionHandle(Round round, int attempt) {
        return (settings.kind() == Kind.JOB ? "job/" : "trainjob/") + jobName(round.id(), attempt);
    }

    /** The name of an attempt's Job or TrainJob (a DNS label: lower case, at most 63 characters). */
    static String jobName(String roundId, int attempt) {
        return "mmed-" + roundId + "-a" + attempt;
    }

    static String configMapName(String roundId) {
        return "mmed-" + roundId;
    }

    public String namespace() {
        return namespace;
    }

    // ---- start ----------------------------------------------------------------------------------------------------

    @Override
    public Execution start(Round round, ExecutionListener listener) {
        K8sExecution existing = executions.get(round.id());
        if (existing != null && existing.attempt == round.attempt()) {
            existing.listener = listener;
            if (existing.outcome != null) {
                listener.ended(round.id(), round.attempt(), existing.outcome);
            }
            return existing;
        }
        String name = jobName(round.id(), round.attempt());
        K8sExecution execution = new K8sExecution(round, name, listener);
        try {
            ensureManifest(round);
            if (settings.kind() == Kind.JOB) {
                if (settings.nodes() > 1) {
                    ensureHeadlessService(round, name);
                }
                createJob(round, name);
            } else {
                createTrainJob(round, name);
            }
        } catch (KubernetesClientException e) {
            throw startFailure(e, "cannot create " + settings.kind().name().toLowerCase() + " " + namespace + "/"
                    + name);
        }
        executions.put(round.id(), execution);
        ensureWatch();
        return execution;
    }

    /**
     * What a failed request of {@link #start} means for the attempt. 400 (a malformed object), 403 (forbidden) and 422
     * (invalid) are permanent: the same request fails again. No answer (connection refused or reset, a timeout), 429
     * (throttled) and 500, 502, 503, 504 (the API server, or an admission webhook it calls, is unavailable) are an
     * outage of the cluster's API, not a failure of the attempt: the coordinator starts the same attempt again, without
     * counting it, and since every object is named by round and attempt, a create that the server applied although
     * its answer was lost is adopted then (409), not made twice. The client has already retried 429 and 5xx answers
     * ({@code quarkus.kubernetes-client.request-retry-backoff-limit}). Anything else (401, 404, ...) counts as a
     * failed attempt.
     *
     * <p>Without an HTTP status (code 0 or -1) the client got no answer, or failed on its own side: the client gives
     * -1 to every exception it wraps, a serialization error or a bug as well as a refused connection. Only a network
     * failure ({@link #noAnswer}) is an outage; anything else would fail the same way on every try, so it counts as a
     * failed attempt (detail {@code client_error}) instead of keeping the round DISPATCHED forever.
     */
    static CoordinatorException startFailure(KubernetesClientException e, String what) {
        int code = e.getCode();
        if (code == 400 || code == 403 || code == 422) {
            return new CoordinatorException(CoordinatorException.Reason.DISPATCH_PERMANENT, what + ": "
                    + e.getMessage(), e, "http_" + code);
        }
        if (code <= 0 ? noAnswer(e) : code == 429 || code == 500 || code == 502 || code == 503 || code == 504) {
            return new CoordinatorException(CoordinatorException.Reason.DISPATCH_UNAVAILABLE, what + ": the API "
                    + "server is unavailable: " + e.getMessage(), e, code <= 0 ? "no_response" : "http_" + code);
        }
        return new CoordinatorException(CoordinatorException.Reason.DISPATCH_RETRIABLE, what + ": " + e.getMessage(),
                e, code <= 0 ? "client_error" : "http_" + code);
    }

    /**
     * Whether a failure without an HTTP status is a network failure: somewhere in its causes an {@link IOException}
     * (a refused or reset connection, {@code SocketTimeoutException}, {@code ConnectException}, an unknown host), a
     * {@link TimeoutException} (the client's request timeout) or a connection that closed before the answer
     * ({@link HttpClosedException}).
     */
    static boolean noAnswer(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Execution resume(Round round, ExecutionListener listener) {
        Execution execution = start(round, listener); // adopts the Job when it exists, creates it when it is gone
        poller.execute(() -> check(executions.get(round.id())));
        return execution;
    }

    private void ensureManifest(Round round) {
        RoundPlan plan = round.plan();
        Map<String, String> data = new LinkedHashMap<>();
        data.put(LocalDispatcher.MANIFEST, new String(RoundManifests.json(plan, this::shardPath),
                StandardCharsets.UTF_8));
        if (plan.modelConfig() != null) {
            data.put(LocalDispatcher.MODEL_CONFIG, plan.modelConfig());
        }
        var configMap = new ConfigMapBuilder().withNewMetadata().withName(configMapName(round.id()))
                .withNamespace(namespace).withLabels(labels(round.id(), null)).endMetadata().withData(data).build();
        createIfAbsent(() -> client.configMaps().inNamespace(namespace).resource(configMap).create());
    }

    private void ensureHeadlessService(Round round, String name) {
        var service = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels(round.id(), round.attempt())).endMetadata()
                .withNewSpec().withClusterIP("None").withSelector(Map.of(JOB_NAME_LABEL, name))
                .addNewPort().withName("rendezvous").withPort(settings.masterPort()).endPort()
                .withPublishNotReadyAddresses(true).endSpec().build();
        createIfAbsent(() -> client.services().inNamespace(namespace).resource(service).create());
    }

    private void createJob(Round round, String name) {
        Map<String, String> labels = labels(round.id(), round.attempt());
        boolean indexed = settings.nodes() > 1;
        PodSpec pod = podSpec(round, name, indexed).build();
        Job job = new JobBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withCompletions(settings.nodes())
                .withParallelism(settings.nodes())
                .withCompletionMode(indexed ? "Indexed" : "NonIndexed")
                .withActiveDeadlineSeconds(settings.activeDeadline().toSeconds())
                .withTtlSecondsAfterFinished((int) settings.ttlAfterFinished().toSeconds())
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withSpec(pod).endTemplate()
                .endSpec().build();
        createIfAbsent(() -> client.batch().v1().jobs().inNamespace(namespace).resource(job).create());
        Log.infof("round %s attempt %d: created job %s/%s (%d node(s) x %d GPU(s), image %s)", round.id(),
                round.attempt(), namespace, name, settings.nodes(), settings.gpusPerNode(), settings.image());
    }

    private PodSpecBuilder podSpec(Round round, String name, boolean indexed) {
        List<String> command = new ArrayList<>();
        List<EnvVar> env = env();
        if (worldSize() > 1) {
            command.addAll(List.of("torchrun", "--nnodes", String.valueOf(settings.nodes()), "--nproc-per-node",
                    String.valueOf(settings.procsPerNode())));
            if (indexed) {
                env.add(new EnvVarBuilder().withName("NODE_RANK").withNewValueFrom().withNewFieldRef()
                        .withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef()
                        .endValueFrom().build());
                command.addAll(List.of("--node-rank", "$(NODE_RANK)", "--master-addr", name + "-0." + name,
                        "--master-port", String.valueOf(settings.masterPort())));
            }
            command.addAll(List.of("-m", TrainerCommand.MODULE));
        } else {
            command.addAll(List.of(settings.python(), "-m", TrainerCommand.MODULE));
        }
        command.addAll(trainerArgs(round));
        var container = new ContainerBuilder().withName(CONTAINER).withImage(settings.image())
                .withImagePullPolicy(settings.imagePullPolicy()).withCommand(command).withEnv(env)
                .withVolumeMounts(volumeMounts()).withTerminationMessagePolicy("FallbackToLogsOnError")
                .withSecurityContext(containerSecurity())
                .withNewResources().withLimits(resources()).withRequests(resources()).endResources().build();
        PodSpecBuilder spec = new PodSpecBuilder().withRestartPolicy("Never").withContainers(container)
                .withSecurityContext(podSecurity())
                .withVolumes(volumes(round)).withNodeSelector(settings.nodeSelector())
                .withTolerations(tolerations(settings.tolerations()))
                .withTerminationGracePeriodSeconds(settings.stopGrace().toSeconds());
        settings.serviceAccount().ifPresent(spec::withServiceAccountName);
        if (indexed) {
            spec.withSubdomain(name);
        }
        return spec;
    }

    /**
     * The trainer pod runs under the namespace's "restricted" Pod Security level: as the trainer image's numeric
     * non-root user ({@link #TRAINER_UID}, services/trainer/Dockerfile), with the runtime's default seccomp profile;
     * the shared volumes are group-writable through {@code fsGroup}.
     */
    private static PodSecurityContext podSecurity() {
        return new PodSecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(TRAINER_UID)
                .withRunAsGroup(TRAINER_UID).withFsGroup(TRAINER_UID).withNewSeccompProfile()
                .withType("RuntimeDefault").endSeccompProfile().build();
    }

    /** No privilege escalation and no Linux capabilities: the trainer needs none. */
    private static SecurityContext containerSecurity() {
        return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withNewCapabilities()
                .withDrop("ALL").endCapabilities().build();
    }

    private void createTrainJob(Round round, String name) {
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("image", settings.image());
        List<String> command = new ArrayList<>(List.of("torchrun", "-m", TrainerCommand.MODULE));
        command.addAll(trainerArgs(round));
        trainer.put("command", command);
        trainer.put("numNodes", settings.nodes());
        trainer.put("numProcPerNode", settings.procsPerNode());
        trainer.put("resourcesPerNode", Map.of("limits", quantities(), "requests", quantities()));
        trainer.put("env", env().stream().map(e -> Map.of("name", e.getName(), "value", e.getValue())).toList());
        Map<String, Object> podOverride = new LinkedHashMap<>();
        settings.serviceAccount().ifPresent(sa -> podOverride.put("serviceAccountName", sa));
        if (!settings.nodeSelector().isEmpty()) {
            podOverride.put("nodeSelector", settings.nodeSelector());
        }
        podOverride.put("tolerations", tolerations(settings.tolerations()));
        podOverride.put("volumes", volumes(round));
        podOverride.put("containers", List.of(Map.of("name", TRAINJOB_CONTAINER, "volumeMounts", volumeMounts())));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("runtimeRef", Map.of("name", settings.trainJobRuntime(), "apiGroup", TRAINJOB.getGroup(), "kind",
                "ClusterTrainingRuntime"));
        spec.put("trainer", trainer);
        spec.put("podTemplateOverrides", List.of(Map.of("targetJobs", List.of(Map.of("name", "node")), "spec",
                podOverride)));
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder()
                .withApiVersion(TRAINJOB.getGroup() + "/" + TRAINJOB.getVersion()).withKind(TRAINJOB.getKind())
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels(round.id(), round.attempt())).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
        createIfAbsent(() -> client.genericKubernetesResources(TRAINJOB).inNamespace(namespace).resource(resource)
                .create());
        Log.infof("round %s attempt %d: created TrainJob %s/%s on runtime %s", round.id(), round.attempt(), namespace,
                name, settings.trainJobRuntime());
    }

    private List<String> trainerArgs(Round round) {
        RoundPlan plan = round.plan();
        String manifest = MANIFEST_MOUNT + "/" + LocalDispatcher.MANIFEST;
        String config = plan.modelConfig() == null ? null : MANIFEST_MOUNT + "/" + LocalDispatcher.MODEL_CONFIG;
        String init = plan.parentCheckpointUri() == null ? null : checkpointPath(plan.parentCheckpointUri());
        return TrainerCommand.args(plan, manifest, checkpointPath(plan.outputUri()), init, config,
                settings.tokenizerDir().orElse(null));
    }

    private List<EnvVar> env() {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("PYTHONUNBUFFERED", "1", null));
        settings.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        return env;
    }

    private Map<String, Quantity> resources() {
        Map<String, Quantity> r = new LinkedHashMap<>();
        quantities().forEach((k, v) -> r.put(k, new Quantity(v)));
        return r;
    }

    private Map<String, String> quantities() {
        Map<String, String> r = new LinkedHashMap<>();
        if (settings.gpusPerNode() > 0) {
            r.put(settings.gpuResource(), String.valueOf(settings.gpusPerNode()));
        }
        settings.cpu().ifPresent(c -> r.put("cpu", c));
        settings.memory().ifPresent(m -> r.put("memory", m));
        return r;
    }

    private List<Volume> volumes(Round round) {
        return List.of(
                new VolumeBuilder().withName("shards").withNewPersistentVolumeClaim()
                        .withClaimName(settings.shardsClaim()).withReadOnly(true).endPersistentVolumeClaim().build(),
                new VolumeBuilder().withName("checkpoints").withNewPersistentVolumeClaim()
                        .withClaimName(settings.checkpointsClaim()).endPersistentVolumeClaim().build(),
                new VolumeBuilder().withName("round").withNewConfigMap().withName(configMapName(round.id()))
                        .endConfigMap().build(),
                // NCCL and DataLoader workers need more shared memory than a container's default 64 MiB
                new VolumeBuilder().withName("dshm").withNewEmptyDir().withMedium("Memory").endEmptyDir().build());
    }

    private List<VolumeMount> volumeMounts() {
        return List.of(
                new VolumeMountBuilder().withName("shards").withMountPath(settings.shardsMountPath()).withReadOnly(true)
                        .build(),
                new VolumeMountBuilder().withName("checkpoints").withMountPath(settings.checkpointsMountPath()).build(),
                new VolumeMountBuilder().withName("round").withMountPath(MANIFEST_MOUNT).withReadOnly(true).build(),
                new VolumeMountBuilder().withName("dshm").withMountPath("/dev/shm").build());
    }

    private Map<String, String> labels(String roundId, Integer attempt) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGER);
        labels.put("app.kubernetes.io/part-of", "mmedstream");
        labels.put("app.kubernetes.io/component", "trainer");
        labels.put(ROUND_LABEL, roundId);
        if (attempt != null) {
            labels.put(ATTEMPT_LABEL, String.valueOf(attempt));
            settings.queueName().ifPresent(q -> labels.put(KUEUE_QUEUE_LABEL, q));
        }
        return labels;
    }

    /** Where the pod finds a shard: the URI's part under the shards prefix, below the shards mount. */
    String shardPath(String uri) {
        return mapPrefix(uri, settings.shardsUriPrefix(), settings.shardsMountPath());
    }

    /** Where the pod finds a checkpoint URI. */
    String checkpointPath(String uri) {
        return mapPrefix(uri, settings.checkpointsUriPrefix(), settings.checkpointsMountPath());
    }

    /** The URI of a checkpoint path the trainer printed. */
    String checkpointUri(String podPath) {
        String mount = settings.checkpointsMountPath();
        if (podPath.equals(mount) || podPath.startsWith(mount + "/")) {
            return settings.checkpointsUriPrefix() + podPath.substring(mount.length());
        }
        return podPath;
    }

    private static String mapPrefix(String uri, String prefix, String mount) {
        if (uri.equals(prefix) || uri.startsWith(prefix + "/")) {
            return mount + uri.substring(prefix.length());
        }
        if (uri.startsWith("file:")) {
            return FileUris.toPath(uri).toString();
        }
        return uri;
    }

    /**
     * Parses tolerations written {@code key}, {@code key:Effect}, {@code key=value} or {@code key=value:Effect}
     * (without a value: operator Exists).
     *
     * @throws IllegalArgumentException on anything else
     */
    static List<Toleration> tolerations(List<String> specs) {
        List<Toleration> out = new ArrayList<>();
        for (String spec : specs) {
            String trimmed = spec.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            Matcher m = TOLERATION.matcher(trimmed);
            if (!m.matches()) {
                throw new IllegalArgumentException("toleration '" + spec + "' is not key[=value][:NoSchedule|"
                        + "PreferNoSchedule|NoExecute]");
            }
            TolerationBuilder t = new TolerationBuilder().withKey(m.group("key").trim());
            if (m.group("value") != null) {
                t.withOperator("Equal").withValue(m.group("value"));
            } else {
                t.withOperator("Exists");
            }
            if (m.group("effect") != null) {
                t.withEffect(m.group("effect"));
            }
            out.add(t.build());
        }
        return out;
    }

    private static void createIfAbsent(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) { // 409: it exists, from an earlier try of this very attempt: adopt it
                throw e;
            }
        }
    }

    // ---- following ------------------------------------------------------------------------------------------------

    private synchronized void ensureWatch() {
        if (watch != null || settings.kind() != Kind.JOB) {
            return;
        }
        try {
            watch = client.batch().v1().jobs().inNamespace(namespace).withLabel(MANAGED_BY, MANAGER)
                    .watch(new Watcher<Job>() {
                        @Override
                        public void eventReceived(Action action, Job job) {
                            String round = job.getMetadata().getLabels() == null ? null
                                    : job.getMetadata().getLabels().get(ROUND_LABEL);
                            K8sExecution execution = round == null ? null : executions.get(round);
                            if (execution != null && execution.name.equals(job.getMetadata().getName())) {
                                poller.execute(() -> check(execution));
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            Log.warnf("watch of jobs in %s closed (%s); polling every %s until it is re-opened",
                                    namespace, cause.getMessage(), settings.pollInterval());
                            synchronized (KubernetesDispatcher.this) {
                                watch = null;
                            }
                        }
                    });
        } catch (KubernetesClientException e) {
            Log.warnf("cannot watch jobs in %s (%s); polling every %s", namespace, e.getMessage(),
                    settings.pollInterval());
        }
    }

    private void pollAll() {
        try {
            if (executions.values().stream().anyMatch(e -> e.outcome == null)) {
                ensureWatch();
            }
            for (K8sExecution execution : executions.values()) {
                check(execution);
            }
        } catch (RuntimeException e) {
            Log.warnf(e, "polling training jobs failed: %s", e);
        }
    }

    /** Looks at one execution: reads new progress from its log, and delivers its outcome once it has one. */
    private synchronized void check(K8sExecution execution) {
        if (execution == null || execution.outcome != null) {
            return;
        }
        Status status;
        try {
            status = settings.kind() == Kind.JOB ? jobStatus(execution) : trainJobStatus(execution);
        } catch (KubernetesClientException e) {
            Log.debugf("round %s: cannot read %s: %s", execution.roundId, execution.name, e.getMessage());
            return;
        }
        readLog(execution);
        if (status == Status.ACTIVE && execution.stopReason != null) {
            try {
                delete(execution.name); // a stop whose delete failed earlier
            } catch (KubernetesClientException e) {
                Log.debugf("round %s: cannot delete %s yet: %s", execution.roundId, execution.name, e.getMessage());
            }
        }
        AttemptOutcome outcome = null;
        if (status == Status.GONE) {
            outcome = new AttemptOutcome.Failed(execution.stopReason != null ? execution.stopReason
                    : new Failure(Failure.LOST, execution.kindName() + " " + namespace + "/" + execution.name
                            + " disappeared before it finished", true));
        } else if (status == Status.SUCCEEDED) {
            outcome = succeeded(execution);
        } else if (status == Status.FAILED) {
            outcome = new AttemptOutcome.Failed(execution.stopReason != null ? execution.stopReason
                    : failure(execution));
        }
        if (outcome != null) {
            execution.outcome = outcome;
            Log.infof("round %s attempt %d: %s %s ended: %s", execution.roundId, execution.attempt,
                    execution.kindName(), execution.name, outcome);
            execution.listener.ended(execution.roundId, execution.attempt, outcome);
        }
    }

    private enum Status {
        ACTIVE, SUCCEEDED, FAILED, GONE
    }

    private Status jobStatus(K8sExecution execution) {
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(execution.name).get();
        if (job == null) {
            return Status.GONE;
        }
        if (job.getStatus() == null) {
            return Status.ACTIVE;
        }
        for (JobCondition c : Optional.ofNullable(job.getStatus().getConditions()).orElse(List.of())) {
            if (!"True".equals(c.getStatus())) {
                continue;
            }
            if ("Complete".equals(c.getType())) {
                return Status.SUCCEEDED;
            }
            if ("Failed".equals(c.getType())) {
                execution.conditionReason = c.getReason();
                execution.conditionMessage = c.getMessage();
                return Status.FAILED;
            }
        }
        Integer succeeded = job.getStatus().getSucceeded();
        if (succeeded != null && succeeded >= settings.nodes()) {
            return Status.SUCCEEDED;
        }
        if (job.getStatus().getStartTime() != null && execution.activeSince == null) {
            execution.activeSince = Instant.parse(job.getStatus().getStartTime());
        }
        return Status.ACTIVE;
    }

    @SuppressWarnings("unchecked")
    private Status trainJobStatus(K8sExecution execution) {
        GenericKubernetesResource job = client.genericKubernetesResources(TRAINJOB).inNamespace(namespace)
                .withName(execution.name).get();
        if (job == null) {
            return Status.GONE;
        }
        Object status = job.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> map && map.get("conditions") instanceof List<?> conditions) {
            for (Object o : conditions) {
                Map<String, Object> c = (Map<String, Object>) o;
                if (!"True".equals(c.get("status"))) {
                    continue;
                }
                if ("Complete".equals(c.get("type"))) {
                    return Status.SUCCEEDED;
                }
                if ("Failed".equals(c.get("type"))) {
                    execution.conditionReason = (String) c.get("reason");
                    execution.conditionMessage = (String) c.get("message");
                    return Status.FAILED;
                }
            }
        }
        return Status.ACTIVE;
    }

    /** The pod of rank 0 (completion index 0 when indexed), newest first. */
    private Optional<Pod> leadPod(K8sExecution execution) {
        String selector = settings.kind() == Kind.JOB ? JOB_NAME_LABEL : JOBSET_NAME_LABEL;
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel(selector, execution.name).list().getItems();
        return pods.stream().min(Comparator.<Pod> comparingInt(p -> "0".equals(indexOf(p)) ? 0 : 1)
                .thenComparing(p -> Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse(""),
                        Comparator.reverseOrder()));
    }

    private static String indexOf(Pod pod) {
        Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
        Map<String, String> annotations = Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
        return labels.getOrDefault(COMPLETION_INDEX, annotations.get(COMPLETION_INDEX));
    }

    private void readLog(K8sExecution execution) {
        Optional<Pod> pod;
        try {
            pod = leadPod(execution);
        } catch (KubernetesClientException e) {
            Log.debugf("round %s: cannot list the pods of %s: %s", execution.roundId, execution.name, e.getMessage());
            return;
        }
        if (pod.isEmpty()) {
            return;
        }
        Pod p = pod.get();
        execution.exitCode = exitCode(p);
        if (execution.activeSince == null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())) {
            execution.activeSince = Instant.now();
        }
        String log;
        try {
            log = client.pods().inNamespace(namespace).withName(p.getMetadata().getName())
                    .tailingLines(settings.logTailLines()).getLog();
        } catch (KubernetesClientException e) {
            Log.debugf("round %s: cannot read the log of %s: %s", execution.roundId, p.getMetadata().getName(),
                    e.getMessage());
            return;
        }
        if (log == null) {
            return;
        }
        for (String line : log.split("\n")) {
            TrainerEvent.parse(line).map(this::mapPaths).ifPresent(event -> execution.offer(event));
        }
    }

    private Integer exitCode(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (CONTAINER.equals(cs.getName()) || TRAINJOB_CONTAINER.equals(cs.getName())) {
                ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
                if (t != null) {
                    return t.getExitCode();
                }
            }
        }
        return null;
    }

    private TrainerEvent mapPaths(TrainerEvent event) {
        if (event instanceof TrainerEvent.Checkpoint c && c.path() != null) {
            return c.withPath(checkpointUri(c.path()));
        }
        if (event instanceof TrainerEvent.Done d && d.checkpoint() != null) {
            return d.withCheckpoint(checkpointUri(d.checkpoint()));
        }
        return event;
    }

    private AttemptOutcome succeeded(K8sExecution execution) {
        TrainerEvent.Done done = execution.done;
        if (done != null && done.checkpoint() != null) {
            return new AttemptOutcome.Succeeded(done.checkpoint(), done.step(), done.firstLoss(), done.finalLoss(),
                    done.tokensSeen(), done.tokensPerLang());
        }
        // The log may be gone (pod deleted) or cut: the trainer's final checkpoint is named by the round's last step.
        int steps = execution.totalSteps;
        TrainerEvent.Checkpoint last = execution.lastCheckpoint;
        return new AttemptOutcome.Succeeded(execution.outputUri + String.format("/checkpoint-%08d", steps), steps,
                null, null, last != null ? last.tokensSeen() : 0, last != null ? last.tokensPerLang() : Map.of());
    }

    private Failure failure(K8sExecution execution) {
        TrainerEvent.Error error = execution.error;
        Integer code = execution.exitCode;
        if ("DeadlineExceeded".equals(execution.conditionReason)) {
            return new Failure(Failure.TIMED_OUT, execution.kindName() + " " + execution.name + " ran longer than "
                    + settings.activeDeadline(), true);
        }
        boolean retriable = code == null || ExitCodes.retriable(code);
        if (error != null) {
            return new Failure(error.reason(), error.message(), error.retriable() && retriable);
        }
        return new Failure(code != null ? "exit_" + code : "job_failed", execution.kindName() + " " + execution.name
                + " failed: " + execution.conditionReason + " " + Optional.ofNullable(execution.conditionMessage)
                        .orElse("") + (code != null ? " (trainer exit code " + code + ")" : ""), retriable);
    }

    // ---- stop and clean up ---------------------------------------------------------------------------------------

    private void delete(String name) {
        if (settings.kind() == Kind.JOB) {
            client.batch().v1().jobs().inNamespace(namespace).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            client.services().inNamespace(namespace).withName(name).delete();
        } else {
            client.genericKubernetesResources(TRAINJOB).inNamespace(namespace).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        }
    }

    @Override
    public void cleanUp(Round round) {
        K8sExecution execution = executions.remove(round.id());
        try {
            List<? extends HasMetadata> leftovers = settings.kind() == Kind.JOB
                    ? client.batch().v1().jobs().inNamespace(namespace).withLabel(ROUND_LABEL, round.id()).list()
                            .getItems()
                    : client.genericKubernetesResources(TRAINJOB).inNamespace(namespace)
                            .withLabel(ROUND_LABEL, round.id()).list().getItems();
            for (HasMetadata job : leftovers) {
                if (!finished(job)) {
                    Log.infof("round %s is %s: deleting its %s %s", round.id(), round.status(),
                            settings.kind() == Kind.JOB ? "job" : "TrainJob", job.getMetadata().getName());
                    delete(job.getMetadata().getName());
                }
            }
            client.configMaps().inNamespace(namespace).withName(configMapName(round.id())).delete();
        } catch (KubernetesClientException e) {
            Log.warnf("round %s: cannot clean up its jobs in %s: %s", round.id(), namespace, e.getMessage());
        }
        if (execution != null && execution.outcome == null) {
            execution.stopReason = new Failure("cancelled", "round " + round.id() + " is " + round.status(), false);
        }
    }

    private static boolean finished(HasMetadata resource) {
        if (resource instanceof Job job) {
            return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus()
                    .getConditions().stream().anyMatch(c -> "True".equals(c.getStatus())
                            && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
        }
        return false;
    }

    @Override
    public void close() {
        poller.shutdownNow();
        Watch w = watch;
        if (w != null) {
            w.close();
        }
    }

    private static String stripSlash(String s) {
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** One attempt's Job or TrainJob as followed here. */
    private final class K8sExecution implements Execution {

        private final String roundId;
        private final int attempt;
        private final String name;
        private final String outputUri;
        private final int totalSteps;
        private volatile ExecutionListener listener;
        private volatile Failure stopReason;
        private volatile AttemptOutcome outcome;
        private volatile Instant activeSince;
        private boolean started;
        private int lastStep = -1;
        private int lastCheckpointStep = -1;
        private Integer exitCode;
        private String conditionReason;
        private String conditionMessage;
        private TrainerEvent.Done done;
        private TrainerEvent.Error error;
        private TrainerEvent.Checkpoint lastCheckpoint;

        K8sExecution(Round round, String name, ExecutionListener listener) {
            this.roundId = round.id();
            this.attempt = round.attempt();
            this.name = name;
            this.outputUri = round.plan().outputUri();
            this.totalSteps = round.plan().totalSteps();
            this.listener = listener;
        }

        String kindName() {
            return settings.kind() == Kind.JOB ? "job" : "TrainJob";
        }

        /** Passes on an event read from the log unless it was passed on at an earlier poll. */
        void offer(TrainerEvent event) {
            boolean fresh;
            if (event instanceof TrainerEvent.Step s) {
                fresh = s.step() > lastStep;
                lastStep = Math.max(lastStep, s.step());
            } else if (event instanceof TrainerEvent.Checkpoint c) {
                fresh = c.step() > lastCheckpointStep;
                lastCheckpointStep = Math.max(lastCheckpointStep, c.step());
                lastCheckpoint = c;
            } else if (event instanceof TrainerEvent.Start) {
                fresh = !started;
                started = true;
            } else if (event instanceof TrainerEvent.Done d) {
                fresh = done == null;
                done = d;
            } else {
                fresh = error == null;
                error = (TrainerEvent.Error) event;
            }
            if (fresh) {
                listener.progress(roundId, attempt, event);
            }
        }

        @Override
        public String roundId() {
            return roundId;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public boolean finished() {
            return outcome != null;
        }

        @Override
        public Optional<Instant> activeSince() {
            return Optional.ofNullable(activeSince);
        }

        @Override
        public void stop(Failure reason) {
            if (stopReason != null || outcome != null) {
                return;
            }
            stopReason = reason;
            Log.infof("round %s attempt %d: deleting %s %s (%s: %s)", roundId, attempt, kindName(), name,
                    reason.reason(), reason.message());
            try {
                delete(name);
            } catch (KubernetesClientException e) {
                Log.warnf("round %s: cannot delete %s %s: %s; retried at the next poll", roundId, kindName(), name,
                        e.getMessage());
            }
            poller.execute(() -> check(this));
        }
    }
}
