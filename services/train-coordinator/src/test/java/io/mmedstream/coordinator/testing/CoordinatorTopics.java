package io.mmedstream.coordinator.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.kafka.TopicLayout;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

/**
 * A private set of the coordinator's topics on the shared test broker (laid out as {@link TopicLayout} lays out the
 * real ones: 3 partitions, rounds compacted; the election topic has one), so that coordinators of different tests
 * never see each other.
 */
public final class CoordinatorTopics {

    public final String shards;
    public final String rounds;
    public final String checkpoints;
    public final String leader;
    public final String group;
    public final String transactionalId;
    private final String servers;

    private CoordinatorTopics(String servers, String suffix) {
        this.servers = servers;
        this.shards = "test.shards." + suffix;
        this.rounds = "test.rounds." + suffix;
        this.checkpoints = "test.checkpoints." + suffix;
        this.leader = "test.leader." + suffix;
        this.group = "test-coordinator-" + suffix;
        this.transactionalId = "test-coordinator-" + suffix;
    }

    /** Creates a fresh set on the shared broker. */
    public static CoordinatorTopics create() {
        String servers = KafkaTestResource.bootstrapServers();
        CoordinatorTopics topics = new CoordinatorTopics(servers, UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            // the layout of the real topics, by name, under our names
            Map<String, NewTopic> layout = new HashMap<>();
            for (NewTopic t : TopicLayout.topics(3, (short) 1)) {
                layout.put(t.name(), t);
            }
            List<NewTopic> create = new ArrayList<>();
            create.add(new NewTopic(topics.shards, 3, (short) 1).configs(layout.get(Topics.SHARDS_READY).configs()));
            create.add(new NewTopic(topics.rounds, 3, (short) 1).configs(layout.get(Topics.TRAIN_ROUNDS).configs()));
            create.add(new NewTopic(topics.checkpoints, 3, (short) 1)
                    .configs(layout.get(Topics.CHECKPOINTS).configs()));
            create.add(new NewTopic(topics.leader, 1, (short) 1).configs(layout.get(Topics.TRAIN_LEADER).configs()));
            admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test topics: " + e, e);
        }
        return topics;
    }

    public String servers() {
        return servers;
    }

    /** Config keys that point a coordinator at these topics. */
    public Map<String, String> config() {
        return Map.of(
                "mmed.coordinator.kafka.shards-topic", shards,
                "mmed.coordinator.kafka.rounds-topic", rounds,
                "mmed.coordinator.kafka.checkpoints-topic", checkpoints,
                "mmed.coordinator.kafka.leader-topic", leader,
                "mmed.coordinator.kafka.group-id", group,
                "mmed.coordinator.kafka.transactional-id", transactionalId);
    }

    /** Writes one record (not transactional) to a partition and waits for the broker. */
    public RecordMetadata send(String topic, int partition, String key, SpecificRecord value) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topic, partition, key,
                    value == null ? null : AvroSerializer.encode(value))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes raw bytes (a poison record). */
    public void sendRaw(String topic, int partition, String key, byte[] value) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, partition, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every committed record of a topic, read with read_committed from the beginning to the current end. */
    public <T extends SpecificRecord> List<ConsumerRecord<String, T>> readAll(String topic, Class<T> type) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroDeserializer<T> decoder = new AvroDeserializer<>(type);
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    T value = r.value() == null ? null : decoder.decode(r.value());
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), value));
                }
            }
        }
        return out;
    }

    /** Every committed record of one round, in revision order (the last is its current state). */
    public List<io.mmedstream.proto.TrainingRoundChanged> roundHistory(String roundId) {
        return readAll(rounds, io.mmedstream.proto.TrainingRoundChanged.class).stream().map(ConsumerRecord::value)
                .filter(r -> r.getRoundId().equals(roundId))
                .sorted(java.util.Comparator.comparingLong(io.mmedstream.proto.TrainingRoundChanged::getRevision))
                .toList();
    }

    /** The round's latest record, once it is in {@code state} (at most {@code timeout}). */
    public io.mmedstream.proto.TrainingRoundChanged awaitRound(String roundId, io.mmedstream.proto.TrainingRoundState
            state, Duration timeout) {
        return org.awaitility.Awaitility.await().atMost(timeout).until(() -> latestRound(roundId),
                r -> r != null && r.getState() == state);
    }

    /** The round's latest committed record, or null when it has none. */
    public io.mmedstream.proto.TrainingRoundChanged latestRound(String roundId) {
        List<io.mmedstream.proto.TrainingRoundChanged> h = roundHistory(roundId);
        return h.isEmpty() ? null : h.get(h.size() - 1);
    }

    /** The coordinator group's committed offsets on the shards topic. */
    public Map<Integer, Long> committedShardOffsets() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> out = new HashMap<>();
            offsets.forEach((tp, o) -> {
                if (tp.topic().equals(shards) && o != null) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of a topic config. */
    public String topicConfig(String topic, String key) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(key)
                    .value();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
