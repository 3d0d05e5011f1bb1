package io.mmedstream.local.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.mmedstream.local.cli.UsageException;

/**
 * Where the local stack lives and which ports it uses, read from the environment:
 *
 * <table>
 * <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 * <tr><td>MMED_ROOT</td><td>the repository (services' jars are found below it)</td><td>the working directory</td></tr>
 * <tr><td>MMED_HOME</td><td>state: pid files, logs, broker data, shards, rounds, checkpoints</td>
 * <td>{@code $MMED_ROOT/.mmed}</td></tr>
 * <tr><td>KAFKA_PORT</td><td>the broker's client port; its controller uses the next one</td><td>9092</td></tr>
 * <tr><td>MMED_INGEST_PORT, MMED_FILTER_PORT, MMED_TOKENIZE_PORT, MMED_TRAIN_COORDINATOR_PORT,
 * MMED_MODEL_SERVER_PORT, MMED_EVAL_PORT, MMED_INFERENCE_PORT</td><td>HTTP ports (the model server's carries its
 * gRPC too)</td><td>8081, 8082, 8083, 8084, 8001, 8086, 8085</td></tr>
 * <tr><td>MMED_INFERENCE_GRPC_PORT</td><td>inference's gRPC API</td><td>9000</td></tr>
 * <tr><td>MMED_READY_TIMEOUT_S</td><td>how long {@code up} waits for every service to be ready</td><td>180</td></tr>
 * <tr><td>MMED_SERVICE_JAVA_OPTS</td><td>extra JVM options for the services</td><td>none</td></tr>
 * <tr><td>MMED_PYTHON</td><td>the trainer's Python interpreter</td><td>the first of python3, /usr/bin/python3 that
 * imports torch and numpy</td></tr>
 * <tr><td>MMED_COORDINATOR_*</td><td>the train-coordinator's settings; they win over {@link #COORDINATOR_DEFAULTS}</td>
 * <td>{@link #COORDINATOR_DEFAULTS}</td></tr>
 * <tr><td>MMED_EVAL_*</td><td>eval's settings; they win over {@link #EVAL_DEFAULTS}</td>
 * <td>{@link #EVAL_DEFAULTS}</td></tr>
 * </table>
 *
 * {@code MMED_TOPIC_PARTITIONS} and {@code MMED_TOPIC_RETENTION_MS} reach the broker process unchanged.
 *
 * @param ports each service's HTTP port
 * @param inferenceGrpcPort the port of inference's gRPC API ({@code mmedstream.inference.v1.Inference})
 * @param coordinatorSettings {@code MMED_COORDINATOR_*} variables the train-coordinator gets
 * @param evalSettings {@code MMED_EVAL_*} variables eval gets
 * @param trainerPython the trainer's interpreter, when known ({@code MMED_PYTHON}, or what the prerequisites check
 *        found); empty: the coordinator looks for one itself when it dispatches its first round
 */
public record StackConfig(Path root, Path home, int kafkaPort, Map<Service, Integer> ports, int inferenceGrpcPort,
        Duration readyTimeout, List<String> serviceJavaOptions, Map<String, String> coordinatorSettings,
        Map<String, String> evalSettings, Optional<String> trainerPython) {

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_INFERENCE_GRPC_PORT = 9000;
    /** The variable that moves inference's gRPC port (the one inference itself reads). */
    public static final String INFERENCE_GRPC_PORT_VARIABLE = "MMED_INFERENCE_GRPC_PORT";
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);
    /** Prefix of the train-coordinator's environment variables (its {@code mmed.coordinator.*} keys). */
    public static final String COORDINATOR_PREFIX = "MMED_COORDINATOR_";
    /** Prefix of eval's environment variables (its {@code mmed.eval.*} keys). */
    public static final String EVAL_PREFIX = "MMED_EVAL_";

    /**
     * The train-coordinator's settings on the embedded default, sized for a CPU with two cores: the fresh tiny model
     * (2 layers, hidden 128) in short windows, 256 tokens a step, at most 80 steps a round, so a round takes a few
     * minutes, however much data it has. The logits over InternLM2's 92,544-token vocabulary dominate a step's cost;
     * the coordinator's own defaults (the shards' 2048-token windows, 4 windows a step, no step limit) are for GPUs.
     * The stop grace stays below the 30 s that {@code down} waits, so a stopped trainer checkpoints before its
     * coordinator is killed.
     */
    public static final Map<String, String> COORDINATOR_DEFAULTS = orderedMap(
            "MMED_COORDINATOR_TRAINING_SEQ_LEN", "128",
            "MMED_COORDINATOR_TRAINING_MICRO_BATCH_SIZE", "2",
            "MMED_COORDINATOR_TRAINING_GRAD_ACCUM", "1",
            "MMED_COORDINATOR_TRAINING_MAX_STEPS", "80",
            "MMED_COORDINATOR_TRAINING_SAVE_EVERY", "40",
            "MMED_COORDINATOR_ROUNDS_STOP_GRACE", "20s");

    /**
     * Eval's settings on the embedded default: answers of at most 32 tokens. Without a rationale the benchmark's
     * answer ({@code ###Answer: OPTION B IS CORRECT.}) takes about a dozen; eval's own limit (512, for rationales
     * on GPUs) would let a freshly trained tiny model, which seldom ends its answer, spend minutes per checkpoint
     * on text nobody reads. Inference answers with the same limit.
     */
    public static final Map<String, String> EVAL_DEFAULTS = orderedMap(
            "MMED_EVAL_BACKEND_MAX_TOKENS", "32");

    public StackConfig {
        root = root.toAbsolutePath().normalize();
        home = home.toAbsolutePath().normalize();
        ports = Map.copyOf(ports);
        serviceJavaOptions = List.copyOf(serviceJavaOptions);
        coordinatorSettings = Collections.unmodifiableMap(new LinkedHashMap<>(coordinatorSettings));
        evalSettings = Collections.unmodifiableMap(new LinkedHashMap<>(evalSettings));
        trainerPython = trainerPython.filter(p -> !p.isBlank());
        for (Service s : Service.values()) {
            if (!ports.containsKey(s)) {
                throw new IllegalArgumentException("no port for " + s.id());
            }
        }
        for (String key : coordinatorSettings.keySet()) {
            if (!key.startsWith(COORDINATOR_PREFIX)) {
                throw new IllegalArgumentException("not a train-coordinator setting: " + key);
            }
        }
        for (String key : evalSettings.keySet()) {
            if (!key.startsWith(EVAL_PREFIX)) {
                throw new IllegalArgumentException("not an eval setting: " + key);
            }
        }
    }

    /**
     * A stack with inference's gRPC on its default port, the embedded default's coordinator and eval settings and no
     * known trainer interpreter.
     */
    public StackConfig(Path root, Path home, int kafkaPort, Map<Service, Integer> ports, Duration readyTimeout,
            List<String> serviceJavaOptions) {
        this(root, home, kafkaPort, ports, DEFAULT_INFERENCE_GRPC_PORT, readyTimeout, serviceJavaOptions,
                COORDINATOR_DEFAULTS, EVAL_DEFAULTS, Optional.empty());
    }

    /** The configuration the environment describes. */
    public static StackConfig fromEnvironment(Map<String, String> env) {
        Path root = Path.of(env.getOrDefault("MMED_ROOT", "")).toAbsolutePath();
        Path home = blank(env.get("MMED_HOME")) ? root.resolve(".mmed") : Path.of(env.get("MMED_HOME"));
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, port(env, s.portVariable(), s.defaultPort()));
        }
        String timeout = env.get("MMED_READY_TIMEOUT_S");
        Duration ready = blank(timeout) ? DEFAULT_READY_TIMEOUT : Duration.ofSeconds(positive(timeout, "MMED_READY_TIMEOUT_S"));
        String opts = env.get("MMED_SERVICE_JAVA_OPTS");
        List<String> javaOptions = blank(opts) ? List.of() : Arrays.asList(opts.trim().split("\\s+"));
        Map<String, String> coordinator = new LinkedHashMap<>(COORDINATOR_DEFAULTS);
        Map<String, String> eval = new LinkedHashMap<>(EVAL_DEFAULTS);
        new TreeMap<>(env).forEach((k, v) -> {
            if (k.startsWith(COORDINATOR_PREFIX) && v != null) {
                coordinator.put(k, v);
            }
            if (k.startsWith(EVAL_PREFIX) && v != null) {
                eval.put(k, v);
            }
        });
        return new StackConfig(root, home, port(env, "KAFKA_PORT", DEFAULT_KAFKA_PORT), ports,
                port(env, INFERENCE_GRPC_PORT_VARIABLE, DEFAULT_INFERENCE_GRPC_PORT), ready, javaOptions,
                coordinator, eval, Optional.ofNullable(env.get("MMED_PYTHON")));
    }

    /** The same stack with other ports (tests run on free ones). */
    public StackConfig withPorts(int kafka, Map<Service, Integer> servicePorts, int inferenceGrpc) {
        return new StackConfig(root, home, kafka, servicePorts, inferenceGrpc, readyTimeout, serviceJavaOptions,
                coordinatorSettings, evalSettings, trainerPython);
    }

    /** The same stack whose coordinator runs the trainer with {@code python}. */
    public StackConfig withTrainerPython(String python) {
        return new StackConfig(root, home, kafkaPort, ports, inferenceGrpcPort, readyTimeout, serviceJavaOptions,
                coordinatorSettings, evalSettings, Optional.of(python));
    }

    /** The same stack with these coordinator settings added to (or replacing) its own. */
    public StackConfig withCoordinatorSettings(Map<String, String> settings) {
        Map<String, String> merged = new LinkedHashMap<>(coordinatorSettings);
        merged.putAll(settings);
        return new StackConfig(root, home, kafkaPort, ports, inferenceGrpcPort, readyTimeout, serviceJavaOptions,
                merged, evalSettings, trainerPython);
    }

    /** The same stack with these eval settings added to (or replacing) its own. */
    public StackConfig withEvalSettings(Map<String, String> settings) {
        Map<String, String> merged = new LinkedHashMap<>(evalSettings);
        merged.putAll(settings);
        return new StackConfig(root, home, kafkaPort, ports, inferenceGrpcPort, readyTimeout, serviceJavaOptions,
                coordinatorSettings, merged, trainerPython);
    }

    public int port(Service service) {
        return ports.get(service);
    }

    /** {@code $MMED_HOME/run}: pid files and the broker's address. */
    public Path runDir() {
        return home.resolve("run");
    }

    /** {@code $MMED_HOME/logs}: one log per process. */
    public Path logsDir() {
        return home.resolve("logs");
    }

    /** {@code $MMED_HOME/kafka}: the broker's topics, records and consumer offsets, kept across restarts. */
    public Path brokerDataDir() {
        return home.resolve("kafka");
    }

    /** The broker's controller port: the one after {@link #kafkaPort()}. */
    public int controllerPort() {
        return kafkaPort + 1;
    }

    /** {@code $MMED_HOME/shards}: tokenize's shard storage. */
    public Path shardsDir() {
        return home.resolve("shards");
    }

    /** {@code $MMED_HOME/rounds}: the train-coordinator's round manifests and trainer logs, per round. */
    public Path roundsDir() {
        return home.resolve("rounds");
    }

    /** {@code $MMED_HOME/checkpoints}: the checkpoints the rounds write, per round. */
    public Path checkpointsDir() {
        return home.resolve("checkpoints");
    }

    /**
     * {@code $MMED_HOME/model-repository}: the Triton-layout model repository eval adds each checkpoint to and the
     * model server serves from.
     */
    public Path modelRepositoryDir() {
        return home.resolve("model-repository");
    }

    /** {@code $MMED_HOME/eval-reports}: eval's report directory per checkpoint. */
    public Path evalReportsDir() {
        return home.resolve("eval-reports");
    }

    /** {@code $MMED_HOME/inference-token}: the bearer token inference accepts from local clients (mode 0600). */
    public Path inferenceTokenFile() {
        return home.resolve("inference-token");
    }

    /** {@code services/trainer}: the PyTorch trainer the coordinator runs as a child process. */
    public Path trainerDir() {
        return root.resolve("services").resolve("trainer");
    }

    public Path logFile(String process) {
        return logsDir().resolve(process + ".log");
    }

    /** The classpath of this module's runtime (its classes and {@code target/lib}), which runs the broker. */
    public String localClasspath() {
        Path module = root.resolve("deploy/local/target");
        if (Files.isDirectory(module.resolve("lib"))) {
            return module.resolve("classes") + java.io.File.pathSeparator + module.resolve("lib") + "/*";
        }
        // Not packaged (running from an IDE or a test JVM): the current classpath has the broker too.
        return System.getProperty("java.class.path");
    }

    private static int port(Map<String, String> env, String variable, int fallback) {
        String v = env.get(variable);
        if (blank(v)) {
            return fallback;
        }
        int port = positive(v, variable);
        if (port > 65535) {
            throw new UsageException(variable + " must be a port number (1-65535), not '" + v + "'");
        }
        return port;
    }

    private static int positive(String v, String variable) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(variable + " must be a positive whole number, not '" + v + "'");
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
