package io.mmedstream.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.mmedstream.local.cli.CommandException;

/**
 * The embedded default stack: a Kafka broker ({@code io.mmedstream.kafka.BrokerMain}) and the services (ingest,
 * filter, tokenize, train-coordinator, model-server, eval, inference), each a process of its own that outlives the
 * CLI. {@code up} starts what is not running (the services all at once, once the broker is up) and waits until
 * everything is ready; {@code down} stops everything. The state lives in {@link StackConfig#home()}; eval and the
 * model server share one model repository there, and inference accepts the bearer token kept there.
 */
public final class LocalStack {

    /** The broker's process name (pid file, log). */
    public static final String BROKER = "kafka";
    /** Environment variable naming tokenize's shard directory. */
    public static final String TOKENIZE_STORAGE_VARIABLE = "MMED_TOKENIZE_STORAGE_DIR";
    /** The train-coordinator's setting naming the trainer's Python interpreter. */
    public static final String TRAINER_PYTHON_VARIABLE = "MMED_COORDINATOR_LOCAL_PYTHON";
    /** The model eval adds every checkpoint to as a new version, and inference serves. */
    public static final String MODEL_NAME = "mmed-llm";
    /** The name under which inference knows the local stack's token ({@code MMED_INFERENCE_TOKENS=local=...}). */
    public static final String TOKEN_NAME = "local";

    private static final String INFERENCE_GRPC_PORT_KEY = "inference.grpc.port";

    private static final Duration BROKER_START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);
    /** Services log every DOWN report: probing once a second keeps their logs readable during start-up. */
    private static final Duration HEALTH_POLL = Duration.ofSeconds(1);

    private final StackConfig config;
    private final ProcessSupervisor supervisor;
    private final HealthProbe probe = new HealthProbe();
    private final Consumer<String> progress;

    /**
     * @param progress receives one line per step ("starting filter ..."), for the user
     */
    public LocalStack(StackConfig config, Consumer<String> progress) {
        this.config = config;
        this.supervisor = new ProcessSupervisor(config.runDir(), config.logsDir());
        this.progress = progress;
    }

    /** What {@link #up()} found or did. */
    public record UpResult(String bootstrap, boolean alreadyUp) {
    }

    /** One process of the stack as {@code status} shows it. */
    public record Component(String name, Optional<Long> pid, String address, HealthProbe.Result health, Path log) {
    }

    /**
     * Starts whatever is not running and waits until every service is ready.
     *
     * @throws CommandException when a port is taken, a jar is missing, or a process fails or is not ready in time;
     *         the processes this call started are stopped again
     */
    public UpResult up() {
        createDirectories();
        ensureInferenceToken();
        Optional<ProcessHandle> broker = supervisor.find(BROKER);
        Map<Service, Boolean> running = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            running.put(s, supervisor.find(s.id()).isPresent());
        }
        if (broker.isPresent() && !running.containsValue(false)) {
            String bootstrap = awaitBrokerAddress(broker.get());
            awaitReady(List.of(Service.values()), List.of());
            return new UpResult(bootstrap, true);
        }
        if (broker.isEmpty() && running.containsValue(true)) {
            // Services that lost their broker may hold state (open shards, producer fencing) from before it went;
            // they start again together with it.
            progress.accept("kafka is not running: restarting the services together with it");
            supervisor.stop(Stream.of(Service.values()).map(Service::id).toList(), STOP_GRACE);
            running.replaceAll((s, r) -> false);
        }
        List<String> started = new ArrayList<>();
        try {
            Map<Service, Integer> ports = broker.isPresent() ? recordedPorts().orElse(config.ports()) : config.ports();
            int grpcPort = broker.isPresent() ? recordedInferenceGrpcPort() : config.inferenceGrpcPort();
            List<Service> toStart = Stream.of(Service.values()).filter(s -> !running.get(s)).toList();
            if (broker.isEmpty()) {
                checkPortFree(config.kafkaPort(), "Kafka", "KAFKA_PORT");
                checkPortFree(config.controllerPort(), "the Kafka controller (KAFKA_PORT + 1)", "KAFKA_PORT");
            }
            for (Service s : toStart) {
                checkJar(s);
                checkPortFree(ports.get(s), s.id(), s.portVariable());
                if (s == Service.INFERENCE) {
                    checkPortFree(grpcPort, "inference's gRPC API", StackConfig.INFERENCE_GRPC_PORT_VARIABLE);
                }
            }
            String bootstrap;
            if (broker.isPresent()) {
                bootstrap = awaitBrokerAddress(broker.get());
            } else {
                archiveShardsOfALostBroker();
                bootstrap = startBroker();
                started.add(BROKER);
            }
            writeState(bootstrap, ports, grpcPort);
            // Each service waits for nothing but the broker (eval and inference reach the model server lazily and
            // retry), so they all start at once and start up in parallel.
            for (Service s : toStart) {
                startService(s, bootstrap, ports, grpcPort);
                started.add(s.id());
            }
            awaitReady(List.of(Service.values()), started);
            return new UpResult(bootstrap, false);
        } catch (RuntimeException e) {
            if (!started.isEmpty()) {
                progress.accept("stopping what was started: " + String.join(", ", started));
                supervisor.stop(started.stream().filter(n -> !n.equals(BROKER)).toList(), STOP_GRACE);
                supervisor.stop(started.stream().filter(n -> n.equals(BROKER)).toList(), STOP_GRACE);
            }
            throw e;
        }
    }

    /**
     * Stops the services, then the broker (so the services leave cleanly while it still runs). Idempotent.
     *
     * @return the names of the processes that were running
     */
    public List<String> down() {
        List<String> stopped = new ArrayList<>(
                supervisor.stop(Stream.of(Service.values()).map(Service::id).toList(), STOP_GRACE));
        stopped.addAll(supervisor.stop(List.of(BROKER), STOP_GRACE));
        deleteQuietly(brokerAddressFile());
        deleteQuietly(stateFile());
        return stopped;
    }

    /** The bootstrap address of the running broker, if one is running. */
    public Optional<String> runningBootstrap() {
        if (supervisor.find(BROKER).isEmpty()) {
            return Optional.empty();
        }
        return readAddress();
    }

    /** Whether the broker and every service process are running (not whether they are ready). */
    public boolean processesRunning() {
        return supervisor.find(BROKER).isPresent()
                && Stream.of(Service.values()).allMatch(s -> supervisor.find(s.id()).isPresent());
    }

    /** Whether the process of {@code service} is running (not whether it is ready). */
    public boolean isRunning(Service service) {
        return supervisor.find(service.id()).isPresent();
    }

    /** The HTTP port of {@code service}: the running stack's, else the configured one. */
    public int port(Service service) {
        return recordedPorts().orElse(config.ports()).get(service);
    }

    /** The port of inference's gRPC API: the running stack's, else the configured one. */
    public int inferenceGrpcPort() {
        return recordedInferenceGrpcPort();
    }

    /** The bearer token inference accepts from this machine's clients, once {@code up} has created it. */
    public Optional<String> inferenceToken() {
        try {
            String token = Files.readString(config.inferenceTokenFile(), StandardCharsets.UTF_8).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every process of the stack, with its health. */
    public List<Component> components() {
        List<Component> list = new ArrayList<>();
        Optional<ProcessHandle> broker = supervisor.find(BROKER);
        String address = broker.flatMap(b -> readAddress()).orElse("localhost:" + config.kafkaPort());
        list.add(new Component(BROKER, broker.map(ProcessHandle::pid), address,
                broker.isPresent() ? new HealthProbe.Result(HealthProbe.State.UP, "")
                        : new HealthProbe.Result(HealthProbe.State.UNREACHABLE, "not running"),
                supervisor.logFile(BROKER)));
        Map<Service, Integer> ports = recordedPorts().orElse(config.ports());
        for (Service s : Service.values()) {
            Optional<ProcessHandle> process = supervisor.find(s.id());
            int port = ports.get(s);
            HealthProbe.Result health = process.isPresent() ? probe.ready(port)
                    : new HealthProbe.Result(HealthProbe.State.UNREACHABLE, "not running");
            String where = s == Service.INFERENCE
                    ? "http://localhost:" + port + ", gRPC :" + recordedInferenceGrpcPort()
                    : s == Service.MODEL_SERVER ? "localhost:" + port + " (gRPC, HTTP)" : "http://localhost:" + port;
            list.add(new Component(s.id(), process.map(ProcessHandle::pid), where, health,
                    supervisor.logFile(s.id())));
        }
        return list;
    }

    /** CPU time each running process of the stack has used so far, broker first (for the benchmark). */
    public Map<String, Duration> cpuTimes() {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        for (String name : Stream.concat(Stream.of(BROKER), Stream.of(Service.values()).map(Service::id)).toList()) {
            supervisor.find(name).flatMap(h -> h.info().totalCpuDuration()).ifPresent(d -> cpu.put(name, d));
        }
        return cpu;
    }

    /** The shard directory tokenize writes to. */
    public Path shardsDir() {
        return config.shardsDir();
    }

    public StackConfig config() {
        return config;
    }

    private String startBroker() {
        deleteQuietly(brokerAddressFile());
        // The runtime classpath brings JBoss LogManager (through the services' engines used by bench); naming it
        // as the JUL manager keeps it from complaining in the broker's log that it was not.
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", config.localClasspath(),
                "io.mmedstream.kafka.BrokerMain", "--port", String.valueOf(config.kafkaPort()),
                "--data-dir", config.brokerDataDir().toString(), "--ready-file", brokerAddressFile().toString()));
        progress.accept("starting kafka on port " + config.kafkaPort() + " (log: " + supervisor.logFile(BROKER) + ")");
        ProcessHandle handle = start(BROKER, command, Map.of());
        return awaitBrokerAddress(handle);
    }

    private void startService(Service service, String bootstrap, Map<Service, Integer> ports, int grpcPort) {
        int port = ports.get(service);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        Path workDir = config.home();
        switch (service) {
            case TOKENIZE -> env.put(TOKENIZE_STORAGE_VARIABLE, config.shardsDir().toString());
            case TRAIN_COORDINATOR -> {
                env.putAll(coordinatorEnvironment(config));
                // Its defaults are relative to the repository (services/trainer); the paths above are absolute.
                workDir = config.root();
            }
            case MODEL_SERVER -> env.put("MMED_MODEL_REPOSITORY", config.modelRepositoryDir().toString());
            case EVAL -> env.putAll(evalEnvironment(config, ports.get(Service.MODEL_SERVER)));
            case INFERENCE -> env.putAll(inferenceEnvironment(config, ports.get(Service.MODEL_SERVER), grpcPort,
                    inferenceToken().orElseThrow(() -> new CommandException("no inference token in "
                            + config.inferenceTokenFile()))));
            default -> {
            }
        }
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(config.serviceJavaOptions());
        command.add("-jar");
        command.add(service.jar(config.root()).toString());
        progress.accept("starting " + service.id() + " on port " + port + " (log: " + supervisor.logFile(service.id()) + ")");
        start(service.id(), command, env, workDir);
    }

    /**
     * The train-coordinator's environment: its directories under {@code MMED_HOME}, the trainer's folder and
     * interpreter, then the stack's coordinator settings, which may override any of them.
     */
    static Map<String, String> coordinatorEnvironment(StackConfig config) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MMED_COORDINATOR_LOCAL_TRAINER_DIR", config.trainerDir().toString());
        env.put("MMED_COORDINATOR_LOCAL_WORK_DIR", config.roundsDir().toString());
        env.put("MMED_COORDINATOR_LOCAL_CHECKPOINTS_DIR", config.checkpointsDir().toString());
        config.trainerPython().ifPresent(p -> env.put(TRAINER_PYTHON_VARIABLE, p));
        env.putAll(config.coordinatorSettings());
        return env;
    }

    /**
     * Eval's environment: the model repository it adds checkpoints to (the model server's), its reports directory,
     * the model server as its backend, the model name, then the stack's eval settings, which may override any of
     * them.
     */
    static Map<String, String> evalEnvironment(StackConfig config, int modelServerPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MMED_MODEL_REPOSITORY", config.modelRepositoryDir().toString());
        env.put("MMED_EVAL_REPORTS", config.evalReportsDir().toString());
        env.put("MMED_BACKEND_HOST", "localhost");
        env.put("MMED_BACKEND_PORT", String.valueOf(modelServerPort));
        env.put("MMED_EVAL_MODEL_NAME", MODEL_NAME);
        env.putAll(config.evalSettings());
        return env;
    }

    /**
     * Inference's environment: its gRPC port, the model server as its backend, the model eval promotes, and the
     * one bearer token it accepts (named {@value #TOKEN_NAME}).
     */
    static Map<String, String> inferenceEnvironment(StackConfig config, int modelServerPort, int grpcPort,
                                                    String token) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(StackConfig.INFERENCE_GRPC_PORT_VARIABLE, String.valueOf(grpcPort));
        env.put("MMED_TRITON_HOST", "localhost");
        env.put("MMED_TRITON_PORT", String.valueOf(modelServerPort));
        env.put("MMED_MODEL_NAME", MODEL_NAME);
        env.put("MMED_INFERENCE_TOKENS", TOKEN_NAME + "=" + token);
        return env;
    }

    /**
     * Creates the bearer token inference accepts, once: 32 random bytes in hex in {@link
     * StackConfig#inferenceTokenFile()}, readable by its owner only. Later runs keep it, so clients keep working
     * across {@code down} and {@code up}.
     */
    private void ensureInferenceToken() {
        Path file = config.inferenceTokenFile();
        if (inferenceToken().isPresent()) {
            return;
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, HexFormat.of().formatHex(random) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            throw new CommandException("cannot create inference's token " + file + ": " + e.getMessage(), e);
        }
    }

    private ProcessHandle start(String name, List<String> command, Map<String, String> env) {
        return start(name, command, env, config.home());
    }

    private ProcessHandle start(String name, List<String> command, Map<String, String> env, Path workDir) {
        try {
            return supervisor.start(name, command, env, workDir);
        } catch (IOException e) {
            throw new CommandException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private String awaitBrokerAddress(ProcessHandle broker) {
        long deadline = System.nanoTime() + BROKER_START_TIMEOUT.toNanos();
        while (true) {
            Optional<String> address = readAddress();
            if (address.isPresent()) {
                return address.get();
            }
            if (!broker.isAlive()) {
                throw new CommandException("kafka exited during start-up." + logTail(BROKER));
            }
            if (System.nanoTime() > deadline) {
                throw new CommandException("kafka did not start within " + BROKER_START_TIMEOUT.toSeconds() + " s."
                        + logTail(BROKER));
            }
            pause(POLL);
        }
    }

    private void awaitReady(List<Service> services, List<String> startedNow) {
        long deadline = System.nanoTime() + config.readyTimeout().toNanos();
        Map<Service, HealthProbe.Result> last = new EnumMap<>(Service.class);
        List<Service> waiting = new ArrayList<>(services);
        if (!startedNow.isEmpty()) {
            progress.accept("waiting until " + String.join(", ", waiting.stream().map(Service::id).toList())
                    + " are ready (up to " + config.readyTimeout().toSeconds() + " s)");
        }
        Map<Service, Integer> ports = recordedPorts().orElse(config.ports());
        while (!waiting.isEmpty()) {
            for (Service s : List.copyOf(waiting)) {
                if (supervisor.find(s.id()).isEmpty()) {
                    throw new CommandException(s.id() + " exited during start-up." + logTail(s.id()));
                }
                HealthProbe.Result result = probe.check(ports.get(s), s.startedPath());
                last.put(s, result);
                if (result.state() == HealthProbe.State.UP) {
                    waiting.remove(s);
                    if (startedNow.contains(s.id())) {
                        progress.accept(s.id() + " is ready");
                    }
                }
            }
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder msg = new StringBuilder("not ready after " + config.readyTimeout().toSeconds()
                        + " s (MMED_READY_TIMEOUT_S raises the limit):");
                for (Service s : waiting) {
                    HealthProbe.Result r = last.get(s);
                    msg.append("\n  ").append(s.id()).append(": ").append(r.state()).append(' ').append(r.detail())
                            .append("; log: ").append(supervisor.logFile(s.id()));
                }
                msg.append(logTail(waiting.get(0).id()));
                throw new CommandException(msg.toString());
            }
            pause(HEALTH_POLL);
        }
    }

    private void checkJar(Service s) {
        Path jar = s.jar(config.root());
        if (!Files.isRegularFile(jar)) {
            throw new CommandException(s.id() + " is not built: " + jar + " is missing. Run ./mmed build"
                    + " (or mvn -B -DskipTests install) first.");
        }
    }

    private static void checkPortFree(int port, String what, String variable) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new CommandException("port " + port + " for " + what + " is already in use by another program."
                    + " Stop that program, or choose another port with " + variable + "=<port>.");
        }
    }

    /**
     * The broker keeps its data in {@link StackConfig#brokerDataDir()}, so shards and the offsets tokenize committed
     * with them stay consistent across {@code down} and {@code up}. When that data is gone (first start, or the
     * directory was deleted), topics start empty and offsets restart at 0, and tokenize would name new shards like
     * the old ones: the old shards are then kept, but moved aside, so the directory always matches the broker.
     */
    private void archiveShardsOfALostBroker() {
        Path shards = config.shardsDir();
        try {
            if (!isEmptyOrMissing(shards) && isEmptyOrMissing(config.brokerDataDir())) {
                Path previous = shards.resolveSibling("shards.previous");
                deleteRecursively(previous);
                Files.move(shards, previous, StandardCopyOption.ATOMIC_MOVE);
                progress.accept("the broker starts without data, so the shards of its predecessor were moved to "
                        + previous);
            }
            Files.createDirectories(shards);
        } catch (IOException e) {
            throw new CommandException("cannot prepare the shard directory " + shards + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmptyOrMissing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    private void writeState(String bootstrap, Map<Service, Integer> ports, int inferenceGrpcPort) {
        Properties p = new Properties();
        p.setProperty("kafka", bootstrap);
        ports.forEach((s, port) -> p.setProperty(s.id() + ".port", String.valueOf(port)));
        p.setProperty(INFERENCE_GRPC_PORT_KEY, String.valueOf(inferenceGrpcPort));
        p.setProperty("model-repository", config.modelRepositoryDir().toString());
        p.setProperty("eval-reports", config.evalReportsDir().toString());
        p.setProperty("shards", config.shardsDir().toString());
        p.setProperty("rounds", config.roundsDir().toString());
        p.setProperty("checkpoints", config.checkpointsDir().toString());
        try (var out = Files.newBufferedWriter(stateFile(), StandardCharsets.UTF_8)) {
            p.store(out, "the running local stack (written by ./mmed up)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<Map<Service, Integer>> recordedPorts() {
        return readState().flatMap(p -> {
            try {
                Map<Service, Integer> ports = new EnumMap<>(Service.class);
                for (Service s : Service.values()) {
                    ports.put(s, Integer.parseInt(p.getProperty(s.id() + ".port", String.valueOf(config.port(s)))));
                }
                return Optional.of(ports);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private int recordedInferenceGrpcPort() {
        return readState().map(p -> p.getProperty(INFERENCE_GRPC_PORT_KEY)).flatMap(v -> {
            try {
                return Optional.of(Integer.parseInt(v));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }).orElse(config.inferenceGrpcPort());
    }

    private Optional<Properties> readState() {
        Path file = stateFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            return Optional.of(p);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<String> readAddress() {
        try {
            Path file = brokerAddressFile();
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String address = Files.readString(file, StandardCharsets.UTF_8).trim();
            return address.isEmpty() ? Optional.empty() : Optional.of(address);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private String logTail(String name) {
        Path log = supervisor.logFile(name);
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 10), lines.size()).stream()
                    .map(l -> l.length() > 300 ? l.substring(0, 300) + " ..." : l).toList();
            return "\nlast lines of " + log + ":\n    " + String.join("\n    ", tail);
        } catch (IOException | UncheckedIOException e) {
            return "\nsee " + log;
        }
    }

    private void createDirectories() {
        try {
            Files.createDirectories(config.runDir());
            Files.createDirectories(config.logsDir());
            Files.createDirectories(config.shardsDir());
            Files.createDirectories(config.roundsDir());
            Files.createDirectories(config.checkpointsDir());
            Files.createDirectories(config.modelRepositoryDir());
            Files.createDirectories(config.evalReportsDir());
        } catch (IOException e) {
            throw new CommandException("cannot create " + config.home() + ": " + e.getMessage(), e);
        }
    }

    private Path brokerAddressFile() {
        return config.runDir().resolve("kafka.address");
    }

    private Path stateFile() {
        return config.runDir().resolve("stack.properties");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing to clean up then
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
