package io.mmedstream.deploy.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Quarkus service's {@code application.properties} as it resolves in a container: with the {@code %prod} profile,
 * the container's environment overriding keys the way Quarkus maps them ({@code quarkus.http.port} from
 * {@code QUARKUS_HTTP_PORT}), and {@code ${NAME:default}} expressions expanded from that environment or other keys.
 * Enough to know the ports, health and metrics paths and the Kafka topics and groups a service will use.
 */
public final class ServiceConfig {

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");

    private final String module;
    private final Properties properties;
    private final Map<String, String> env;

    private ServiceConfig(String module, Properties properties, Map<String, String> env) {
        this.module = module;
        this.properties = properties;
        this.env = Map.copyOf(env);
    }

    /** Reads {@code <moduleDir>/src/main/resources/application.properties}. */
    public static ServiceConfig load(Path moduleDir, Map<String, String> env) {
        Path file = moduleDir.resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new ServiceConfig(moduleDir.getFileName().toString(), p, env);
    }

    /** The same configuration in another environment. */
    public ServiceConfig withEnv(Map<String, String> otherEnv) {
        return new ServiceConfig(module, properties, otherEnv);
    }

    public String module() {
        return module;
    }

    /** The value a key takes in the prod profile, or empty. */
    public Optional<String> value(String key) {
        return value(key, 0);
    }

    /** The value of a key, or the default Quarkus (or the service) gives it. */
    public String value(String key, String fallback) {
        return value(key).orElse(fallback);
    }

    /** {@code quarkus.http.port} (default 8080). */
    public int httpPort() {
        return Integer.parseInt(value("quarkus.http.port", "8080").trim());
    }

    /** The separate gRPC server's port, when the service has one. */
    public Optional<Integer> separateGrpcPort() {
        boolean hasGrpcServer = properties.stringPropertyNames().stream()
                .anyMatch(k -> k.startsWith("quarkus.grpc.server.") && !k.startsWith("%"));
        if (!hasGrpcServer || !Boolean.parseBoolean(value("quarkus.grpc.server.use-separate-server", "true").trim())) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(value("quarkus.grpc.server.port", "9000").trim()));
    }

    /** The liveness path, e.g. {@code /q/health/live}. */
    public String livenessPath() {
        return healthRoot() + "/" + strip(value("quarkus.smallrye-health.liveness-path", "live"));
    }

    /** The readiness path, e.g. {@code /q/health/ready}. */
    public String readinessPath() {
        return healthRoot() + "/" + strip(value("quarkus.smallrye-health.readiness-path", "ready"));
    }

    /** The Prometheus metrics path (default {@code /q/metrics}). */
    public String metricsPath() {
        String path = value("quarkus.micrometer.export.prometheus.path", "metrics");
        return path.startsWith("/") ? path : nonApplicationRoot() + "/" + path;
    }

    /** Every topic named by a SmallRye channel ({@code mp.messaging.*.*.topic}). */
    public Set<String> channelTopics() {
        Set<String> topics = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mp.messaging.") && key.endsWith(".topic")) {
                value(key).ifPresent(topics::add);
            }
        }
        return topics;
    }

    /** Every consumer group named by a SmallRye channel ({@code mp.messaging.incoming.*.group.id}). */
    public Set<String> channelGroups() {
        Set<String> groups = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".group.id")) {
                value(key).ifPresent(groups::add);
            }
        }
        return groups;
    }

    /**
     * The fixed prefix of every transactional id a channel declares, with the per-instance part ({@code
     * mmed.instance-id}) removed: {@code ${quarkus.application.name}-${mmed.instance-id}} gives {@code mmed-ingest-}.
     */
    public Set<String> channelTransactionalIdPrefixes() {
        Set<String> prefixes = new TreeSet<>();
        ServiceConfig noInstance = withEnv(Map.of());
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mp.messaging.outgoing.") && key.endsWith(".transactional.id")) {
                String raw = properties.getProperty(key);
                int cut = raw.indexOf("${mmed.instance-id}");
                String fixed = cut < 0 ? raw : raw.substring(0, cut);
                prefixes.add(noInstance.expand(fixed, 0));
            }
        }
        return prefixes;
    }

    private String healthRoot() {
        String root = value("quarkus.smallrye-health.root-path", "health");
        return root.startsWith("/") ? root : nonApplicationRoot() + "/" + strip(root);
    }

    private String nonApplicationRoot() {
        String root = value("quarkus.http.non-application-root-path", "q");
        return root.startsWith("/") ? stripEnd(root) : "/" + stripEnd(root);
    }

    private Optional<String> value(String key, int depth) {
        if (depth > 20) {
            throw new IllegalStateException(module + ": configuration expressions nest too deep at " + key);
        }
        String envName = envName(key);
        if (env.containsKey(envName)) {
            return Optional.of(env.get(envName));
        }
        String raw = properties.getProperty("%prod." + key, properties.getProperty(key));
        return raw == null ? Optional.empty() : Optional.of(expand(raw, depth + 1));
    }

    private String expand(String raw, int depth) {
        Matcher m = EXPRESSION.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String fallback = m.group(2);
            String resolved = env.containsKey(name) ? env.get(name)
                    : value(name, depth).orElse(fallback);
            if (resolved == null) {
                throw new IllegalStateException(module + ": ${" + name + "} has no value and no default in " + raw);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The environment variable Quarkus reads for a key: upper case, every other character an underscore. */
    static String envName(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : key.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return b.toString().toUpperCase(Locale.ROOT);
    }

    private static String strip(String s) {
        String t = s;
        while (t.startsWith("/")) {
            t = t.substring(1);
        }
        return stripEnd(t);
    }

    private static String stripEnd(String s) {
        String t = s;
        while (t.endsWith("/") && t.length() > 1) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
