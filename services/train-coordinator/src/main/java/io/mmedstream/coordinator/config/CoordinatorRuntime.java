package io.mmedstream.coordinator.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmedstream.coordinator.dispatch.Dispatcher;
import io.mmedstream.coordinator.dispatch.KubernetesDispatcher;
import io.mmedstream.coordinator.dispatch.LocalDispatcher;
import io.mmedstream.coordinator.dispatch.PythonLocator;
import io.mmedstream.coordinator.messaging.CoordinatorLoop;
import io.mmedstream.coordinator.messaging.CoordinatorMetrics;
import io.mmedstream.coordinator.service.FileUris;
import io.mmedstream.coordinator.service.LanguageMixer;
import io.mmedstream.coordinator.service.ModelConfigs;
import io.mmedstream.coordinator.service.RoundBook;
import io.mmedstream.coordinator.service.RoundPlanner;
import io.mmedstream.coordinator.service.RoundPolicy;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Builds the coordinator from the configuration when the application starts (policy, mixer, planner, dispatcher)
 * and runs the {@link CoordinatorLoop} on its own thread; on shutdown it stops the loop, then the dispatcher (local
 * trainers are asked to checkpoint and stop; the next start resumes them).
 */
@ApplicationScoped
public class CoordinatorRuntime {

    private static final String THREAD_NAME = "train-coordinator";

    @Inject
    CoordinatorConfig config;

    @Inject
    MeterRegistry registry;

    /** Every {@code kafka.*} property (bootstrap servers, security settings), without the prefix. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    Instance<KubernetesClient> kubernetesClient;

    private Dispatcher dispatcher;
    private CoordinatorLoop loop;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        // checked before anything is started: a bad backoff fails the start-up
        CoordinatorLoop.Settings settings = loopSettings(new HashMap<>(kafkaConfig), config.kafka(), config.rounds());
        RoundBook.Retry retry = attemptRetry(config.rounds());
        dispatcher = createDispatcher();
        RoundPolicy policy = new RoundPolicy(policySettings(config.policy()));
        RoundPlanner planner = planner(dispatcher);
        Optional<String> baseTokenizer = baseTokenizer(config.model().baseCheckpoint());
        Optional<String> configuredTokenizer = config.policy().tokenizerSha256().filter(s -> !s.isBlank())
                .map(s -> s.trim().toLowerCase(Locale.ROOT));
        loop = new CoordinatorLoop(settings,
                () -> new RoundBook(policy, planner, retry, configuredTokenizer, baseTokenizer),
                dispatcher, new CoordinatorMetrics(registry), Clock.systemUTC());
        thread = new Thread(loop, THREAD_NAME);
        thread.setDaemon(true);
        // Avro and Kafka look classes up through the context class loader: make it the application's.
        thread.setContextClassLoader(CoordinatorRuntime.class.getClassLoader());
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        loop.stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.close();
    }

    /** The loop, for the admin API and health checks; null before start-up. */
    public CoordinatorLoop loop() {
        return loop;
    }

    /** The dispatcher in use; null before start-up. */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    private Dispatcher createDispatcher() {
        String name = config.dispatcher().trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case LocalDispatcher.NAME -> localDispatcher(config.local(), config.rounds());
            case KubernetesDispatcher.NAME -> new KubernetesDispatcher(kubernetesClient.get(),
                    kubernetesSettings(config.kubernetes(), config.rounds()));
            default -> throw new IllegalArgumentException("mmed.coordinator.dispatcher must be local or kubernetes, "
                    + "not " + config.dispatcher());
        };
    }

    /**
     * The loop's settings.
     *
     * @throws IllegalArgumentException when a backoff is not positive
     */
    static CoordinatorLoop.Settings loopSettings(Map<String, Object> kafkaConfig, CoordinatorConfig.Kafka kafka,
            CoordinatorConfig.Rounds rounds) {
        return new CoordinatorLoop.Settings(kafkaConfig, kafka.shardsTopic(), kafka.roundsTopic(),
                kafka.checkpointsTopic(), kafka.leaderTopic(), kafka.groupId(), kafka.transactionalId(),
                kafka.pollTimeout(), backoff(kafka.retryBackoff(), "kafka.retry-backoff"),
                backoff(kafka.maxRetryBackoff(), "kafka.max-retry-backoff"), rounds.stallTimeout(),
                rounds.attemptTimeout(), rounds.progressInterval(),
                backoff(rounds.dispatchRetryBackoff(), "rounds.dispatch-retry-backoff"),
                backoff(rounds.maxDispatchRetryBackoff(), "rounds.max-dispatch-retry-backoff"));
    }

    /**
     * The backoff between the attempts of a round.
     *
     * @throws IllegalArgumentException when a backoff is not positive
     */
    static RoundBook.Retry attemptRetry(CoordinatorConfig.Rounds rounds) {
        return new RoundBook.Retry(backoff(rounds.retryBackoff(), "rounds.retry-backoff"),
                backoff(rounds.maxRetryBackoff(), "rounds.max-retry-backoff"));
    }

    /**
     * A backoff that doubles while failures go on must be positive: doubling zero stays zero, and the coordinator
     * would try again at once, for ever (hammering a Kubernetes API or a Kafka cluster that is down).
     *
     * @param key the key below {@code mmed.coordinator}, for the message
     */
    static Duration backoff(Duration value, String key) {
        if (value.isNegative() || value.isZero()) {
            String env = "MMED_COORDINATOR_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            throw new IllegalArgumentException("mmed.coordinator." + key + " (" + env + ") must be positive, not "
                    + value + ": it is the pause before trying again, doubled while the failures go on, and a pause "
                    + "of zero never grows, so every try would follow the last one at once");
        }
        return value;
    }

    static RoundPolicy.Settings policySettings(CoordinatorConfig.Policy p) {
        return new RoundPolicy.Settings(p.minNewTokens(), p.maxWait(), p.minTokensAfterWait(), p.maxTokensPerRound());
    }

    private RoundPlanner planner(Dispatcher dispatcher) {
        CoordinatorConfig.Mixing m = config.mixing();
        CoordinatorConfig.Training t = config.training();
        LanguageMixer.Mode mode = switch (m.mode().trim().toLowerCase(Locale.ROOT)) {
            case "weights" -> LanguageMixer.Mode.WEIGHTS;
            case "temperature" -> LanguageMixer.Mode.TEMPERATURE;
            default -> throw new IllegalArgumentException("mmed.coordinator.mixing.mode must be weights or "
                    + "temperature, not " + m.mode());
        };
        LanguageMixer mixer = new LanguageMixer(new LanguageMixer.Settings(mode, LanguageMixer.parseWeights(
                m.weights()), m.temperature(), m.minLanguageWindows()));
        RoundPlanner.Training training = new RoundPlanner.Training(t.epochs(), t.minSteps(), t.maxSteps(),
                t.microBatchSize(), t.gradAccum(), t.learningRate(), t.freshLearningRate(), t.saveEvery(), t.seqLen(),
                t.extraArgs().orElse(List.of()), config.rounds().maxAttempts());
        ModelConfigs fresh = ModelConfigs.load(config.model().freshConfig());
        RoundPlanner.ModelSource source = new RoundPlanner.ModelSource(
                config.model().baseCheckpoint().filter(s -> !s.isBlank()).map(CoordinatorRuntime::asUri),
                fresh::forShard);
        return new RoundPlanner(training, mixer, source, dispatcher.name(), dispatcher.worldSize(),
                dispatcher::outputUri);
    }

    /** A base checkpoint given as a plain path becomes a file: URI; URIs stay as they are. */
    static String asUri(String location) {
        return location.contains(":") ? location : FileUris.of(Path.of(location));
    }

    /** SHA-256 of the base checkpoint's tokenizer.json, when it is a readable local directory. */
    private static Optional<String> baseTokenizer(Optional<String> base) {
        if (base.isEmpty() || base.get().isBlank()) {
            return Optional.empty();
        }
        try {
            Path json = FileUris.toPath(asUri(base.get())).resolve("tokenizer.json");
            if (Files.isRegularFile(json)) {
                String sha = ModelConfigs.sha256(json);
                Log.infof("base checkpoint %s: tokenizer %s", base.get(), sha);
                return Optional.of(sha);
            }
        } catch (IOException | RuntimeException e) {
            Log.warnf("cannot read the tokenizer of the base checkpoint %s: %s", base.get(), e);
        }
        return Optional.empty();
    }

    private static LocalDispatcher localDispatcher(CoordinatorConfig.Local l, CoordinatorConfig.Rounds rounds) {
        LocalDispatcher.Settings settings = new LocalDispatcher.Settings(l.command().orElse(List.of()),
                l.trainerDir(), l.workDir(), l.checkpointsDir(), l.threads(), l.tokenizerDir(), rounds.stopGrace());
        return new LocalDispatcher(settings, new PythonLocator(l.python(), PythonLocator.CANDIDATES));
    }

    static KubernetesDispatcher.Settings kubernetesSettings(CoordinatorConfig.Kubernetes k,
            CoordinatorConfig.Rounds rounds) {
        KubernetesDispatcher.Kind kind = switch (k.kind().trim().toLowerCase(Locale.ROOT)) {
            case "job" -> KubernetesDispatcher.Kind.JOB;
            case "trainjob" -> KubernetesDispatcher.Kind.TRAINJOB;
            default -> throw new IllegalArgumentException("mmed.coordinator.kubernetes.kind must be job or trainjob, "
                    + "not " + k.kind());
        };
        return new KubernetesDispatcher.Settings(k.namespace(), kind, k.image(), k.imagePullPolicy(),
                k.serviceAccount(), k.nodes(), k.gpusPerNode(), k.procsPerNode().orElse(Math.max(1, k.gpusPerNode())),
                k.gpuResource(), k.cpu(), k.memory(), pairs(k.nodeSelector().orElse(""), "node-selector"),
                k.tolerations().orElse(List.of()), k.shardsClaim(), k.shardsMountPath(), k.shardsUriPrefix(),
                k.checkpointsClaim(), k.checkpointsMountPath(), k.checkpointsUriPrefix(), k.queueName(),
                k.trainJobRuntime(), k.masterPort(), rounds.attemptTimeout(), k.ttlAfterFinished(),
                rounds.stopGrace(), k.pollInterval(), k.logTailLines(), pairs(k.env().orElse(""), "env"), k.python(),
                k.tokenizerDir());
    }

    /** Parses {@code k=v,k2=v2}. */
    static Map<String, String> pairs(String text, String what) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("mmed.coordinator.kubernetes." + what + ": '" + trimmed
                        + "' is not key=value");
            }
            out.put(trimmed.substring(0, eq).trim(), trimmed.substring(eq + 1).trim());
        }
        return out;
    }
}
