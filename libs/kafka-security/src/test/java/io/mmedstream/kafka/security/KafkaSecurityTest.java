package io.mmedstream.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;

/** The variables → client settings mapping, without a broker. */
class KafkaSecurityTest {

    @Test
    void nothingSetMeansPlaintextAndNoSettingAtAll() {
        KafkaSecurity security = KafkaSecurity.from(Map.<String, String>of()::get);
        assertThat(security.protocol()).isEqualTo("PLAINTEXT");
        assertThat(security.secured()).isFalse();
        assertThat(security.clientProperties()).isEmpty();
        assertThat(new KafkaSecurityConfigSource(Map.<String, String>of()::get).getProperties()).isEmpty();
    }

    @Test
    void saslSslWithScramProducesTheSettingsAndAJaasConfigTheClientCanParse() {
        Map<String, String> env = Map.of(
                "KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
                "KAFKA_SASL_USERNAME", "mmed-filter",
                "KAFKA_SASL_PASSWORD", "pa\"ss\\word with spaces",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", "trust-secret");
        Map<String, Object> p = KafkaSecurity.from(env::get).clientProperties();
        assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
                .containsEntry("ssl.truststore.password", "trust-secret")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .doesNotContainKeys("ssl.keystore.location", "ssl.keystore.password");
        // Kafka's own JAAS parser reads back the user and the password, quotes and backslashes included.
        JaasContext context = JaasContext.loadClientContext(Map.of("sasl.jaas.config",
                new Password((String) p.get("sasl.jaas.config"))));
        AppConfigurationEntry entry = context.configurationEntries().get(0);
        assertThat(entry.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
        Map<String, ?> options = entry.getOptions();
        assertThat(options.get("username")).isEqualTo("mmed-filter");
        assertThat(options.get("password")).isEqualTo("pa\"ss\\word with spaces");
    }

    @Test
    void mutualTlsAddsTheKeystore() {
        Map<String, String> env = Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/certs/ca.crt",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_KEYSTORE_LOCATION", "/certs/user.p12",
                "KAFKA_SSL_KEYSTORE_PASSWORD", "key-secret",
                // SASL settings mean nothing without a SASL protocol
                "KAFKA_SASL_USERNAME", "ignored");
        KafkaSecurity security = KafkaSecurity.from(env::get);
        assertThat(security.clientProperties()).containsOnly(
                Map.entry("security.protocol", "SSL"),
                Map.entry("ssl.truststore.location", "/certs/ca.crt"),
                Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.keystore.location", "/certs/user.p12"),
                Map.entry("ssl.keystore.type", "PKCS12"),
                Map.entry("ssl.keystore.password", "key-secret"));
        assertThat(security.describe()).isEqualTo("SSL, truststore /certs/ca.crt (PEM), keystore /certs/user.p12 "
                + "(PKCS12) (mutual TLS)");
        assertThat(new KafkaSecurityConfigSource(env::get).getProperties())
                .containsEntry("kafka.security.protocol", "SSL")
                .containsEntry("kafka.ssl.keystore.location", "/certs/user.p12")
                .hasSize(6);
    }

    @Test
    void sslSettingsAreIgnoredWithoutSslAndAPublicCaNeedsNoTruststore() {
        Map<String, String> env = Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM",
                "scram-sha-256", "KAFKA_SASL_USERNAME", "u", "KAFKA_SASL_PASSWORD", "p",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/nowhere");
        assertThat(KafkaSecurity.from(env::get).clientProperties()).containsOnlyKeys("security.protocol",
                "sasl.mechanism", "sasl.jaas.config").containsEntry("sasl.mechanism", "SCRAM-SHA-256");
        assertThat(KafkaSecurity.from(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_USERNAME", "u",
                "KAFKA_SASL_PASSWORD", "p")::get).clientProperties()).doesNotContainKeys("ssl.truststore.location",
                "ssl.truststore.type");
    }

    @Test
    void invalidCombinationsNameTheVariableAndNeverThePassword() {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_USERNAME", "u", "KAFKA_SASL_PASSWORD", "s3cret-value"));
        env.put("KAFKA_SASL_MECHANISM", "GSSAPI");
        assertThatThrownBy(() -> KafkaSecurity.from(env::get)).hasMessageContaining("KAFKA_SASL_MECHANISM")
                .hasMessageNotContaining("s3cret-value");
        env.remove("KAFKA_SASL_MECHANISM");
        env.put("KAFKA_SASL_PASSWORD", "s3cret\nvalue");
        assertThatThrownBy(() -> KafkaSecurity.from(env::get)).hasMessageContaining("KAFKA_SASL_PASSWORD")
                .hasMessageNotContaining("s3cret");
        env.remove("KAFKA_SASL_PASSWORD");
        assertThatThrownBy(() -> KafkaSecurity.from(env::get)).hasMessage(
                "KAFKA_SASL_PASSWORD must be set with KAFKA_SECURITY_PROTOCOL=SASL_SSL");
        assertThatThrownBy(() -> KafkaSecurity.from(Map.of("KAFKA_SECURITY_PROTOCOL", "TLS")::get))
                .hasMessageContaining("KAFKA_SECURITY_PROTOCOL must be one of");
        assertThatThrownBy(() -> KafkaSecurity.from(Map.of("KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_KEYSTORE_LOCATION", "/k.p12")::get)).hasMessage(
                "KAFKA_SSL_KEYSTORE_PASSWORD must be set with KAFKA_SSL_KEYSTORE_LOCATION");
    }

    @Test
    void descriptionsNeverShowAPassword() {
        KafkaSecurity security = KafkaSecurity.from(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_USERNAME", "mmed-eval", "KAFKA_SASL_PASSWORD", "s3cret-value",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/ca.p12", "KAFKA_SSL_TRUSTSTORE_PASSWORD", "trust-s3cret")::get);
        assertThat(security.describe()).isEqualTo("SASL_SSL, SCRAM-SHA-512 as user 'mmed-eval', truststore /ca.p12 "
                + "(PKCS12)");
        assertThat(security.toString()).doesNotContain("s3cret");
    }
}
