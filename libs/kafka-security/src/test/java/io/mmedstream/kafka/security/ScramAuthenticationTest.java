package io.mmedstream.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mmedstream.kafka.EmbeddedBroker;

/**
 * Clients configured by {@link KafkaSecurity} against a real broker whose listener requires SASL/SCRAM-SHA-512: the
 * right password produces and consumes, a wrong one is refused with an authentication error that does not repeat it.
 */
class ScramAuthenticationTest {

    private static final String USER = "mmed-test";
    private static final String PASSWORD = "correct \"horse\" battery\\staple";
    private static final String TOPIC = "scram.test";

    private static EmbeddedBroker broker;
    private static String saslServers;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.startWithScram(USER, PASSWORD);
        saslServers = broker.saslBootstrapServers().orElseThrow();
        SecuredClients.createTopic(broker.bootstrapServers(), TOPIC);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaSecurity security(String password) {
        return KafkaSecurity.from(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME", USER,
                "KAFKA_SASL_PASSWORD", password)::get);
    }

    @Test
    void theRightPasswordProducesAndConsumes() throws Exception {
        SecuredClients.produceAndConsume(security(PASSWORD), saslServers, TOPIC, "over SCRAM", "scram-test");
    }

    @Test
    void aWrongPasswordFailsWithAnAuthenticationErrorThatDoesNotRepeatIt() {
        String wrong = "wrong-password-42";
        // a producer's first send and an admin client's first call are both refused
        for (SaslAuthenticationException refused : SecuredClients.refusals(security(wrong), saslServers, TOPIC,
                SaslAuthenticationException.class)) {
            assertThat(refused).hasMessageContaining("Authentication failed");
            for (Throwable t = refused; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong).doesNotContain(PASSWORD);
            }
        }
    }
}
