package io.mmedstream.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the real-broker security tests do with clients configured by {@link KafkaSecurity} only: a round trip that
 * must succeed, and first calls that must fail. Every wait is bounded, so a failure cannot hang a build.
 */
final class SecuredClients {

    private SecuredClients() {
    }

    /** Creates a one-partition topic through the broker's PLAINTEXT listener. */
    static void createTopic(String plainServers, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plainServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Writes {@code value} to {@code topic} and reads it from the beginning (as {@code group}) until it comes back. */
    static void produceAndConsume(KafkaSecurity security, String servers, String topic, String value, String group)
            throws Exception {
        Map<String, Object> producerConfig = new HashMap<>(security.apply(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers)));
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, group, value)).get(20, TimeUnit.SECONDS);
        }
        Map<String, Object> consumerConfig = new HashMap<>(security.apply(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")));
        consumerConfig.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        consumerConfig.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!values.contains(value) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            assertThat(values).contains(value);
        }
    }

    /**
     * The failures of a producer's first send to {@code topic} and of an admin client's first call, unwrapped from
     * {@link ExecutionException}, each asserted to be of type {@code expected}.
     */
    static <T extends Throwable> List<T> refusals(KafkaSecurity security, String servers, String topic,
                                                  Class<T> expected) {
        Map<String, Object> producerConfig = new HashMap<>(security.apply(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers)));
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        Throwable producerFailure;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            producerFailure = catchThrowable(() -> producer.send(new ProducerRecord<>(topic, "k", "v"))
                    .get(15, TimeUnit.SECONDS));
        }
        Map<String, Object> adminConfig = new HashMap<>(security.apply(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers)));
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        Throwable adminFailure;
        try (Admin admin = Admin.create(adminConfig)) {
            adminFailure = catchThrowable(() -> admin.listTopics().names().get(15, TimeUnit.SECONDS));
        }
        List<T> refusals = new ArrayList<>();
        for (Throwable failure : List.of(producerFailure, adminFailure)) {
            Throwable cause = failure instanceof ExecutionException ? failure.getCause() : failure;
            assertThat(cause).isInstanceOf(expected);
            refusals.add(expected.cast(cause));
        }
        return refusals;
    }
}
