package io.mmedstream.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
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
        KafkaSecurity security = security(PASSWORD);
        Map<String, Object> producerConfig = new HashMap<>(security.apply(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, saslServers)));
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "over SCRAM")).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> consumerConfig = new HashMap<>(security.apply(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, saslServers,
                ConsumerConfig.GROUP_ID_CONFIG, "scram-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            assertThat(values).containsExactly("over SCRAM");
        }
    }

    @Test
    void aWrongPasswordFailsWithAnAuthenticationErrorThatDoesNotRepeatIt() {
        String wrong = "wrong-password-42";
        Map<String, Object> config = new HashMap<>(security(wrong).apply(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, saslServers)));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        Throwable failure;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            failure = catchThrowable(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "v"))
                    .get(30, TimeUnit.SECONDS));
        }
        Throwable cause = failure instanceof ExecutionException ? failure.getCause() : failure;
        assertThat(cause).isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Authentication failed");
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong).doesNotContain(PASSWORD);
        }
        // and the admin client is refused the same way
        Map<String, Object> adminConfig = new HashMap<>(security(wrong).apply(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, saslServers)));
        try (Admin admin = Admin.create(adminConfig)) {
            Throwable adminFailure = catchThrowable(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
            assertThat(adminFailure).hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }
}
