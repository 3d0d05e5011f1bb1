package io.mmedstream.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import io.mmedstream.proto.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;

/**
 * A real Apache Kafka KRaft node (combined broker and controller) from the Kafka jars on the classpath, configured
 * for the pipeline: large records ({@link Topics#MAX_RECORD_BYTES}) and transactions on a single node. The local
 * stack runs it in its own process ({@link BrokerMain}); tests run it in the test JVM ({@link KafkaTestResource}).
 */
public final class EmbeddedBroker implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;

    private EmbeddedBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** Cluster id of persistent local brokers: a data directory formatted once is reused by every later start. */
    static final String LOCAL_CLUSTER_ID = "mmedstream-local-0001";

    /**
     * Starts a broker whose data is deleted when it stops.
     *
     * @param port the client port, or 0 for a free one
     */
    public static EmbeddedBroker start(int port) {
        return start(port, null);
    }

    /**
     * Starts a broker.
     *
     * @param port the client port, or 0 for a free one
     * @param dataDir where the broker keeps its log and metadata across restarts, or null for a temporary directory
     *        deleted on close. A persistent broker uses {@code port + 1} for its controller, so both stay stable.
     */
    public static EmbeddedBroker start(int port, java.nio.file.Path dataDir) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withDeleteLogDirsOnClose(dataDir == null)
                .withAdditionalProperties(p -> {
                    pipelineProperties(p);
                    if (dataDir != null) {
                        p.put("log.dir", dataDir.toAbsolutePath().toString());
                    }
                });
        if (port > 0) {
            broker.withKafkaPort(port);
        }
        if (dataDir != null) {
            if (port <= 0) {
                throw new IllegalArgumentException("a persistent broker needs a fixed port");
            }
            broker.withClusterId(LOCAL_CLUSTER_ID).withControllerPort(port + 1);
        }
        broker.start();
        return new EmbeddedBroker(broker);
    }

    /** Broker settings every pipeline deployment needs; a production cluster sets the same (see docs/operations.md). */
    static void pipelineProperties(Properties p) {
        String max = String.valueOf(Topics.MAX_RECORD_BYTES);
        p.put("message.max.bytes", max);
        p.put("replica.fetch.max.bytes", max);
        p.put("socket.request.max.bytes", String.valueOf(Topics.MAX_RECORD_BYTES + 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", String.valueOf(TopicLayout.DEFAULT_PARTITIONS));
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Consumers of a single-node dev cluster should not wait for a share of a 30 s session to notice a kill -9.
        p.put("group.consumer.min.session.timeout.ms", "3000");
        p.put("group.min.session.timeout.ms", "3000");
    }

    /** The name of the SCRAM listener of {@link #startWithScram}. */
    static final String SASL_LISTENER = "SASL_PLAINTEXT";
    /** The name of the server-authenticated TLS listener of {@link #startWithTls}. */
    static final String SSL_LISTENER = "SSL";
    /** The name of the mutual-TLS listener of {@link #startWithTls}. */
    static final String MUTUAL_TLS_LISTENER = "MTLS";

    /**
     * Starts a temporary broker with a second listener, SASL_PLAINTEXT with SCRAM-SHA-512 authentication
     * ({@link #saslBootstrapServers()}), and creates one SCRAM user on it through the Admin API. The PLAINTEXT
     * listener ({@link #bootstrapServers()}) stays, for the broker's own traffic and for set-up; pipeline topics are
     * not created.
     *
     * @param username the SCRAM user to create
     * @param password its password
     */
    public static EmbeddedBroker startWithScram(String username, String password) {
        EmbeddedBroker started = startWithListeners(Map.of(SASL_LISTENER, SecurityProtocol.SASL_PLAINTEXT), p -> {
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        });
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                started.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(username,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(30, TimeUnit.SECONDS);
            // The credential is committed to the metadata log; wait until the broker reports it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.describeUserScramCredentials(List.of(username)).all().get(30, TimeUnit.SECONDS)
                    .containsKey(username)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the SCRAM credential of " + username + " did not appear");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } catch (Exception e) {
            started.close();
            throw new IllegalStateException("cannot create the SCRAM user " + username + ": " + e, e);
        }
        return started;
    }

    /**
     * Starts a temporary broker with two TLS listeners besides PLAINTEXT: {@code SSL}
     * ({@link #sslBootstrapServers()}), where only the broker authenticates (a client needs to trust its
     * certificate), and {@code MTLS} ({@link #mutualTlsBootstrapServers()}), protocol SSL as well, which also requires
     * a client certificate that {@code truststore} trusts. Both present the key pair of {@code keystore}, whose
     * certificate must name the host clients connect to ({@code localhost}). The PLAINTEXT listener
     * ({@link #bootstrapServers()}) stays, for the broker's own traffic and for set-up; pipeline topics are not
     * created.
     *
     * @param keystore PKCS12 key store with the broker's key pair (key password = store password)
     * @param keystorePassword its password
     * @param truststore PKCS12 trust store with the certificates (or their CAs) of the clients the mutual-TLS
     *        listener accepts
     * @param truststorePassword its password
     */
    public static EmbeddedBroker startWithTls(Path keystore, String keystorePassword, Path truststore,
            String truststorePassword) {
        Map<String, SecurityProtocol> listeners = new LinkedHashMap<>();
        listeners.put(SSL_LISTENER, SecurityProtocol.SSL);
        listeners.put(MUTUAL_TLS_LISTENER, SecurityProtocol.SSL);
        String mtls = "listener.name." + MUTUAL_TLS_LISTENER.toLowerCase(Locale.ROOT) + ".";
        return startWithListeners(listeners, p -> {
            // the key store serves both listeners; only the mutual-TLS one asks for and checks client certificates
            p.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
            p.put("ssl.keystore.password", keystorePassword);
            p.put("ssl.keystore.type", "PKCS12");
            p.put(mtls + "ssl.truststore.location", truststore.toAbsolutePath().toString());
            p.put(mtls + "ssl.truststore.password", truststorePassword);
            p.put(mtls + "ssl.truststore.type", "PKCS12");
            p.put(mtls + "ssl.client.auth", "required");
        });
    }

    /**
     * Starts a temporary broker with the PLAINTEXT listener, for its own traffic and for set-up, and {@code extra}
     * listeners (name to protocol), each on a free port and advertised on {@code localhost}.
     *
     * @param settings the listeners' broker settings, added to {@link #pipelineProperties}
     */
    private static EmbeddedBroker startWithListeners(Map<String, SecurityProtocol> extra,
            Consumer<Properties> settings) {
        int plainPort = freePort();
        List<Endpoint> endpoints = new ArrayList<>();
        endpoints.add(EmbeddedKafkaBroker.endpoint(SecurityProtocol.PLAINTEXT, "localhost", plainPort));
        extra.forEach((name, protocol) -> endpoints.add(
                EmbeddedKafkaBroker.endpoint(name, protocol, "localhost", freePort())));
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withDeleteLogDirsOnClose(true)
                .withKafkaPort(plainPort)
                // advertised: all; the broker talks to itself over PLAINTEXT
                .withAdvertisedListeners(endpoints.toArray(Endpoint[]::new))
                .withAdditionalProperties(p -> {
                    pipelineProperties(p);
                    settings.accept(p);
                });
        broker.start();
        return new EmbeddedBroker(broker);
    }

    /** {@code host:port} of the PLAINTEXT listener, for clients. */
    public String bootstrapServers() {
        return listener("PLAINTEXT").orElseThrow();
    }

    /** {@code host:port} of the SASL_PLAINTEXT (SCRAM-SHA-512) listener of {@link #startWithScram}; else empty. */
    public Optional<String> saslBootstrapServers() {
        return listener(SASL_LISTENER);
    }

    /** {@code host:port} of the server-authenticated TLS listener of {@link #startWithTls}; else empty. */
    public Optional<String> sslBootstrapServers() {
        return listener(SSL_LISTENER);
    }

    /** {@code host:port} of the mutual-TLS listener of {@link #startWithTls}; else empty. */
    public Optional<String> mutualTlsBootstrapServers() {
        return listener(MUTUAL_TLS_LISTENER);
    }

    private Optional<String> listener(String name) {
        for (String listener : broker.getAdvertisedListeners().split(",")) {
            int scheme = listener.indexOf("://");
            if (scheme > 0 && listener.substring(0, scheme).trim().equals(name)) {
                return Optional.of(listener.substring(scheme + 3));
            }
        }
        return Optional.empty();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e, e);
        }
    }

    public boolean isRunning() {
        return broker.isRunning();
    }

    @Override
    public void close() {
        broker.close();
    }
}
