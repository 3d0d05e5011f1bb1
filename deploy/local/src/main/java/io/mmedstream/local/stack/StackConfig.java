package io.mmedstream.local.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.mmedstream.local.cli.UsageException;

/**
 * Where the local stack lives and which ports it uses, read from the environment:
 *
 * <table>
 * <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 * <tr><td>MMED_ROOT</td><td>the repository (services' jars are found below it)</td><td>the working directory</td></tr>
 * <tr><td>MMED_HOME</td><td>state: pid files, logs, broker data, shards</td><td>{@code $MMED_ROOT/.mmed}</td></tr>
 * <tr><td>KAFKA_PORT</td><td>the broker's client port; its controller uses the next one</td><td>9092</td></tr>
 * <tr><td>MMED_INGEST_PORT, MMED_FILTER_PORT, MMED_TOKENIZE_PORT</td><td>HTTP ports</td><td>8081, 8082, 8083</td></tr>
 * <tr><td>MMED_READY_TIMEOUT_S</td><td>how long {@code up} waits for every service to be ready</td><td>180</td></tr>
 * <tr><td>MMED_SERVICE_JAVA_OPTS</td><td>extra JVM options for the services</td><td>none</td></tr>
 * </table>
 *
 * {@code MMED_TOPIC_PARTITIONS} and {@code MMED_TOPIC_RETENTION_MS} reach the broker process unchanged.
 */
public record StackConfig(Path root, Path home, int kafkaPort, Map<Service, Integer> ports, Duration readyTimeout,
        List<String> serviceJavaOptions) {

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);

    public StackConfig {
        root = root.toAbsolutePath().normalize();
        home = home.toAbsolutePath().normalize();
        ports = Map.copyOf(ports);
        serviceJavaOptions = List.copyOf(serviceJavaOptions);
        for (Service s : Service.values()) {
            if (!ports.containsKey(s)) {
                throw new IllegalArgumentException("no port for " + s.id());
            }
        }
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
        return new StackConfig(root, home, port(env, "KAFKA_PORT", DEFAULT_KAFKA_PORT), ports, ready, javaOptions);
    }

    /** The same stack with other ports (tests run on free ones). */
    public StackConfig withPorts(int kafka, Map<Service, Integer> servicePorts) {
        return new StackConfig(root, home, kafka, servicePorts, readyTimeout, serviceJavaOptions);
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

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
