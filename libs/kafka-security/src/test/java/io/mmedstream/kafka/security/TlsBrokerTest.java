package io.mmedstream.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.util.HashMap;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;

import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.kafka.EmbeddedBroker;

/**
 * Clients configured by {@link KafkaSecurity} against a real broker with TLS listeners and certificates made at test
 * time ({@link TestCertificates}): on the server-authenticated listener a client that trusts the broker's certificate
 * produces and consumes and one that trusts only the JVM's CAs is refused; on the mutual-TLS listener a client with
 * its certificate produces and consumes and one without is refused.
 */
class TlsBrokerTest {

    private static final String TOPIC = "tls.test";

    @TempDir
    static Path dir;

    private static TestCertificates certificates;
    private static EmbeddedBroker broker;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.generate(dir);
        broker = EmbeddedBroker.startWithTls(certificates.brokerKeystore().location(),
                certificates.brokerKeystore().password(), certificates.brokerTruststore().location(),
                certificates.brokerTruststore().password());
        SecuredClients.createTopic(broker.bootstrapServers(), TOPIC);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** {@code KAFKA_SECURITY_PROTOCOL=SSL}, with the client truststore and, for mutual TLS, the client keystore. */
    private static KafkaSecurity security(boolean truststore, boolean keystore) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        if (truststore) {
            env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", certificates.clientTruststore().location().toString());
            env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", certificates.clientTruststore().password());
        }
        if (keystore) {
            env.put("KAFKA_SSL_KEYSTORE_LOCATION", certificates.clientKeystore().location().toString());
            env.put("KAFKA_SSL_KEYSTORE_PASSWORD", certificates.clientKeystore().password());
        }
        return KafkaSecurity.from(env::get);
    }

    @Test
    void aClientThatTrustsTheBrokerCertificateProducesAndConsumesOverTls() throws Exception {
        SecuredClients.produceAndConsume(security(true, false), broker.sslBootstrapServers().orElseThrow(), TOPIC,
                "over TLS", "tls-test");
    }

    @Test
    void aClientThatTrustsOnlyTheJvmCertificateAuthoritiesRejectsTheBrokerCertificate() {
        for (SslAuthenticationException refused : SecuredClients.refusals(security(false, false),
                broker.sslBootstrapServers().orElseThrow(), TOPIC, SslAuthenticationException.class)) {
            // the client's own check: no path from the self-signed broker certificate to a CA it trusts
            assertThat(refused).hasMessageContaining("SSL handshake failed")
                    .hasCauseInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertPathBuilderException.class);
        }
    }

    @Test
    void aClientWithItsCertificateProducesAndConsumesOverMutualTls() throws Exception {
        SecuredClients.produceAndConsume(security(true, true), broker.mutualTlsBootstrapServers().orElseThrow(), TOPIC,
                "over mutual TLS", "mtls-test");
    }

    @Test
    void aClientWithoutACertificateIsRefusedByTheMutualTlsListener() {
        for (SslAuthenticationException refused : SecuredClients.refusals(security(true, false),
                broker.mutualTlsBootstrapServers().orElseThrow(), TOPIC, SslAuthenticationException.class)) {
            // the broker's check: with TLS 1.3 its alert reaches the client after the client's side of the handshake
            assertThat(refused).hasCauseInstanceOf(SSLHandshakeException.class);
            assertThat(refused.getCause()).hasMessageContaining("Received fatal alert");
        }
    }
}
