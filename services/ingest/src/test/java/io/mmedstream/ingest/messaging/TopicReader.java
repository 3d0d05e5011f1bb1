package io.mmedstream.ingest.messaging;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;

import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.Topics;

/**
 * Reads a topic from the beginning as a downstream service would ({@code read_committed}, Avro values) and waits for
 * the records a test is looking for. The broker is shared by every test of the JVM, so tests select their own
 * records by key or content rather than counting everything.
 *
 * <p>Values are decoded here with a {@link SpecificData} bound to the generated class's own class loader rather than
 * with {@code AvroDeserializer}: under {@code @QuarkusTest}, Avro sits in Quarkus' base class loader and the proto
 * classes in its runtime class loader, and {@code SpecificData.get()} resolves record names to the copy on the
 * surefire class path, so the shared deserializer fails with a ClassCastException in tests (not in a packaged
 * service, which has one class loader). The bytes are the same single-object encoding: a 10-byte header (marker and
 * schema fingerprint), then Avro binary written with this build's schema.
 */
final class TopicReader {

    private static final int SINGLE_OBJECT_HEADER = 10;

    private TopicReader() {
    }

    /** Waits until {@code count} records of {@code topic} match, and returns them in partition/offset order. */
    static <T extends SpecificRecord> List<ConsumerRecord<String, T>> awaitRecords(String topic, Class<T> type,
            Predicate<ConsumerRecord<String, T>> match, int count, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_RECORD_BYTES));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(Topics.MAX_RECORD_BYTES));
        SpecificDatumReader<T> reader = reader(type);
        List<ConsumerRecord<String, T>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().pollInSameThread().pollDelay(Duration.ZERO).atMost(timeout).until(() -> {
                for (ConsumerRecord<String, byte[]> raw : consumer.poll(Duration.ofMillis(200))) {
                    ConsumerRecord<String, T> record = new ConsumerRecord<>(raw.topic(), raw.partition(),
                            raw.offset(), raw.timestamp(), raw.timestampType(), raw.serializedKeySize(),
                            raw.serializedValueSize(), raw.key(), decode(reader, raw.value()), raw.headers(),
                            raw.leaderEpoch());
                    if (match.test(record)) {
                        found.add(record);
                    }
                }
                return found.size() >= count;
            });
        }
        found.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return found;
    }

    private static <T extends SpecificRecord> SpecificDatumReader<T> reader(Class<T> type) {
        SpecificData model = new SpecificData(type.getClassLoader());
        SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
        Schema schema = model.getSchema(type);
        return new SpecificDatumReader<>(schema, schema, model);
    }

    private static <T> T decode(SpecificDatumReader<T> reader, byte[] value) throws java.io.IOException {
        if (value.length < SINGLE_OBJECT_HEADER || value[0] != (byte) 0xC3 || value[1] != 0x01) {
            throw new IllegalStateException("not Avro single-object encoding: " + value.length + " bytes");
        }
        return reader.read(null, DecoderFactory.get().binaryDecoder(value, SINGLE_OBJECT_HEADER,
                value.length - SINGLE_OBJECT_HEADER, null));
    }
}
