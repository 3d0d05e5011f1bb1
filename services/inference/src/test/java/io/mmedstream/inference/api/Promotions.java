package io.mmedstream.inference.api;

import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroSerializer;

/** Publishes to {@code mmed.models.promoted.v1} as eval does (Avro single-object encoding, keyed by model name). */
public final class Promotions {

    private Promotions() {
    }

    public static ModelPromoted promoted(String model, String version, Instant at) {
        return ModelPromoted.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at)
                .setCheckpointId("round-test-step-" + version).setCheckpointUri("file:///checkpoints/" + version)
                .setModelName(model).setModelVersion(version).setReason("test promotion")
                .setMeanAccuracy(40.0 + Integer.parseInt(version))
                .setAccuracyPerLanguage(Map.of("English", 41.0, "French", 39.0)).setReportUri("file:///reports/")
                .build();
    }

    public static void publish(String bootstrap, String model, String version) {
        send(bootstrap, model, AvroSerializer.encode(promoted(model, version, Instant.now())));
    }

    public static void send(String bootstrap, String key, byte[] value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.MODELS_PROMOTED, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + Topics.MODELS_PROMOTED, e);
        }
    }
}
