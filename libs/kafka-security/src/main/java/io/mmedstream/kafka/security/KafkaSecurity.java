package io.mmedstream.kafka.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The security settings of every Kafka client of MMedStream, from one set of environment variables:
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><th>variable</th><th>Kafka setting</th><th>default</th></tr>
 * <tr><td>{@code KAFKA_SECURITY_PROTOCOL}</td><td>{@code security.protocol}: PLAINTEXT, SSL, SASL_SSL or
 * SASL_PLAINTEXT</td><td>PLAINTEXT</td></tr>
 * <tr><td>{@code KAFKA_SASL_MECHANISM}</td><td>{@code sasl.mechanism}: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN</td>
 * <td>SCRAM-SHA-512</td></tr>
 * <tr><td>{@code KAFKA_SASL_USERNAME}, {@code KAFKA_SASL_PASSWORD}</td><td>{@code sasl.jaas.config} (generated)</td>
 * <td>required with SASL</td></tr>
 * <tr><td>{@code KAFKA_SSL_TRUSTSTORE_LOCATION}, {@code _PASSWORD}, {@code _TYPE}</td>
 * <td>{@code ssl.truststore.*}</td><td>none (the JVM's CAs), type PKCS12</td></tr>
 * <tr><td>{@code KAFKA_SSL_KEYSTORE_LOCATION}, {@code _PASSWORD}, {@code _TYPE}</td><td>{@code ssl.keystore.*}
 * (mutual TLS)</td><td>none, type PKCS12</td></tr>
 * </table>
 *
 * <p>Nothing set means PLAINTEXT and no setting at all: a client configured from it behaves as one that never heard
 * of security. SASL settings are used with SASL_* protocols only, SSL settings with SSL and SASL_SSL only. Invalid
 * combinations fail at once with an {@link IllegalArgumentException} that names the variable (never a secret).
 *
 * <p>{@link #toString()} and {@link #describe()} never show a password. Instances are immutable.
 */
public final class KafkaSecurity {

    public static final String PROTOCOL = "KAFKA_SECURITY_PROTOCOL";
    public static final String SASL_MECHANISM = "KAFKA_SASL_MECHANISM";
    public static final String SASL_USERNAME = "KAFKA_SASL_USERNAME";
    public static final String SASL_PASSWORD = "KAFKA_SASL_PASSWORD";
    public static final String TRUSTSTORE_LOCATION = "KAFKA_SSL_TRUSTSTORE_LOCATION";
    public static final String TRUSTSTORE_PASSWORD = "KAFKA_SSL_TRUSTSTORE_PASSWORD";
    public static final String TRUSTSTORE_TYPE = "KAFKA_SSL_TRUSTSTORE_TYPE";
    public static final String KEYSTORE_LOCATION = "KAFKA_SSL_KEYSTORE_LOCATION";
    public static final String KEYSTORE_PASSWORD = "KAFKA_SSL_KEYSTORE_PASSWORD";
    public static final String KEYSTORE_TYPE = "KAFKA_SSL_KEYSTORE_TYPE";

    /** Every variable read, in the order of the documentation. */
    public static final List<String> VARIABLES = List.of(PROTOCOL, SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD,
            TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, KEYSTORE_LOCATION, KEYSTORE_PASSWORD,
            KEYSTORE_TYPE);

    public static final String DEFAULT_MECHANISM = "SCRAM-SHA-512";
    public static final String DEFAULT_STORE_TYPE = "PKCS12";

    private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Map<String, String> LOGIN_MODULES = Map.of(
            "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule");

    private final String protocol;
    private final String mechanism;
    private final String username;
    private final String password;
    private final Store truststore;
    private final Store keystore;

    /** A key or trust store: a file, its password (may be null for a truststore) and its type. */
    private record Store(String location, String password, String type) {

        @Override
        public String toString() {
            return location + " (" + type + ")";
        }
    }

    private KafkaSecurity(String protocol, String mechanism, String username, String password, Store truststore,
            Store keystore) {
        this.protocol = protocol;
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
        this.truststore = truststore;
        this.keystore = keystore;
    }

    /** From the process environment. */
    public static KafkaSecurity fromEnvironment() {
        return from(System::getenv);
    }

    /**
     * From variables looked up by name ({@link #VARIABLES}); a null or blank value is unset.
     *
     * @throws IllegalArgumentException when the combination is invalid; the message names the variable
     */
    public static KafkaSecurity from(Function<String, String> variables) {
        Function<String, Optional<String>> get = name -> Optional.ofNullable(variables.apply(name))
                .map(String::trim).filter(v -> !v.isEmpty());
        String protocol = get.apply(PROTOCOL).map(v -> v.toUpperCase(Locale.ROOT)).orElse("PLAINTEXT");
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException(PROTOCOL + " must be one of " + PROTOCOLS + ", not '" + protocol + "'");
        }
        String mechanism = null;
        String username = null;
        String password = null;
        if (protocol.startsWith("SASL_")) {
            mechanism = get.apply(SASL_MECHANISM).map(v -> v.toUpperCase(Locale.ROOT)).orElse(DEFAULT_MECHANISM);
            if (!LOGIN_MODULES.containsKey(mechanism)) {
                throw new IllegalArgumentException(SASL_MECHANISM + " must be one of " + LOGIN_MODULES.keySet()
                        + " (with " + protocol + "), not '" + mechanism + "'");
            }
            username = get.apply(SASL_USERNAME).orElseThrow(() -> new IllegalArgumentException(SASL_USERNAME
                    + " must be set with " + PROTOCOL + "=" + protocol));
            // A password is a secret: not trimmed (its spaces may matter) and never repeated in a message.
            password = Optional.ofNullable(variables.apply(SASL_PASSWORD)).filter(v -> !v.isEmpty())
                    .orElseThrow(() -> new IllegalArgumentException(SASL_PASSWORD + " must be set with " + PROTOCOL
                            + "=" + protocol));
            checkJaasValue(SASL_USERNAME, username);
            checkJaasValue(SASL_PASSWORD, password);
        }
        Store truststore = null;
        Store keystore = null;
        if (protocol.equals("SSL") || protocol.equals("SASL_SSL")) {
            Optional<String> trustPassword = Optional.ofNullable(variables.apply(TRUSTSTORE_PASSWORD))
                    .filter(v -> !v.isEmpty());
            Optional<String> trustLocation = get.apply(TRUSTSTORE_LOCATION);
            if (trustLocation.isPresent()) {
                truststore = new Store(trustLocation.get(), trustPassword.orElse(null),
                        get.apply(TRUSTSTORE_TYPE).orElse(DEFAULT_STORE_TYPE));
            } else if (trustPassword.isPresent()) {
                throw new IllegalArgumentException(TRUSTSTORE_PASSWORD + " is set but " + TRUSTSTORE_LOCATION
                        + " is not");
            }
            Optional<String> keyLocation = get.apply(KEYSTORE_LOCATION);
            Optional<String> keyPassword = Optional.ofNullable(variables.apply(KEYSTORE_PASSWORD))
                    .filter(v -> !v.isEmpty());
            if (keyLocation.isPresent()) {
                keystore = new Store(keyLocation.get(), keyPassword.orElseThrow(() -> new IllegalArgumentException(
                        KEYSTORE_PASSWORD + " must be set with " + KEYSTORE_LOCATION)),
                        get.apply(KEYSTORE_TYPE).orElse(DEFAULT_STORE_TYPE));
            } else if (keyPassword.isPresent()) {
                throw new IllegalArgumentException(KEYSTORE_PASSWORD + " is set but " + KEYSTORE_LOCATION
                        + " is not");
            }
        }
        return new KafkaSecurity(protocol, mechanism, username, password, truststore, keystore);
    }

    /**
     * The Kafka client settings: empty for PLAINTEXT, else {@code security.protocol} and the SASL and SSL settings
     * its protocol uses. Add them to a producer's, consumer's or admin client's configuration.
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (protocol.equals("PLAINTEXT")) {
            return p;
        }
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (mechanism != null) {
            p.put(SaslConfigs.SASL_MECHANISM, mechanism);
            p.put(SaslConfigs.SASL_JAAS_CONFIG, LOGIN_MODULES.get(mechanism) + " required username=\""
                    + jaasEscape(username) + "\" password=\"" + jaasEscape(password) + "\";");
        }
        if (truststore != null) {
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.location());
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, truststore.type());
            if (truststore.password() != null) {
                p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststore.password());
            }
        }
        if (keystore != null) {
            p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.location());
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, keystore.type());
            p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, keystore.password());
        }
        return p;
    }

    /**
     * {@code base} (bootstrap servers and a client's own settings) plus {@link #clientProperties()}; the security
     * settings win.
     */
    public Map<String, Object> apply(Map<String, Object> base) {
        Map<String, Object> p = new LinkedHashMap<>(base);
        p.putAll(clientProperties());
        return p;
    }

    /** {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}. */
    public String protocol() {
        return protocol;
    }

    /** Whether anything other than PLAINTEXT is configured. */
    public boolean secured() {
        return !protocol.equals("PLAINTEXT");
    }

    /** One line for a start-up log: protocol, mechanism, user, stores; never a password. */
    public String describe() {
        StringBuilder out = new StringBuilder(protocol);
        if (mechanism != null) {
            out.append(", ").append(mechanism).append(" as user '").append(username).append('\'');
        }
        if (truststore != null) {
            out.append(", truststore ").append(truststore);
        }
        if (keystore != null) {
            out.append(", keystore ").append(keystore).append(" (mutual TLS)");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "KafkaSecurity[" + describe() + "]";
    }

    /** The JAAS parser ends a quoted value at a line break and knows no escape for it. */
    private static void checkJaasValue(String variable, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                throw new IllegalArgumentException(variable + " contains a line break or NUL character, which a "
                        + "JAAS configuration cannot carry");
            }
        }
    }

    /** Inside double quotes the JAAS parser (a StreamTokenizer) reads backslash escapes. */
    static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
