package io.mmedstream.local.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.proto.Topics;

/**
 * Reads a fixed set of topics from their beginning with a {@code read_committed} consumer, for the CLI's views of the
 * stack: every partition is assigned by hand, so there is no consumer group and nothing is committed. The position is
 * kept between calls, so a live view's {@link #catchUp} reads only what is new.
 */
public final class TopicTail implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrap;
    private final List<String> topics;
    private final String what;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private List<TopicPartition> partitions = List.of();

    private TopicTail(String bootstrap, List<String> topics, String what, KafkaConsumer<byte[], byte[]> consumer) {
        this.bootstrap = bootstrap;
        this.topics = List.copyOf(topics);
        this.what = what;
        this.consumer = consumer;
    }

    /**
     * A reader of {@code topics} on {@code bootstrap}, with the Kafka security settings of the environment; it
     * connects on the first {@link #catchUp}.
     *
     * @param what the topics in words, for error messages ("eval's topics")
     * @param tuning further consumer settings (batch sizes), may be empty
     */
    public static TopicTail open(String bootstrap, String clientId, List<String> topics, String what,
            Map<String, Object> tuning) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(BrokerCheck.security());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.putAll(tuning);
        return new TopicTail(bootstrap, topics, what,
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /**
     * Hands every record up to the end of each topic, as of this call, to {@code sink}.
     *
     * @throws CommandException when Kafka does not answer, the topics do not exist, or they cannot be read within
     *         {@code timeout}; an exception {@code sink} throws passes through
     */
    public void catchUp(Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (partitions.isEmpty()) {
                assignAll(timeout);
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            List<TopicPartition> behind = new ArrayList<>(partitions);
            while (true) {
                behind.removeIf(tp -> consumer.position(tp, timeout) >= end.get(tp));
                if (behind.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new CommandException("reading " + what + " on " + bootstrap + " took longer than "
                            + timeout.toSeconds() + " s; still behind on " + behind);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    sink.accept(record);
                }
            }
        } catch (KafkaException e) {
            throw new CommandException("cannot read " + what + " from Kafka at " + bootstrap + ": " + e.getMessage()
                    + ". Is the stack up? (./mmed up)", e);
        }
    }

    private void assignAll(Duration timeout) {
        List<TopicPartition> all = new ArrayList<>();
        Map<String, List<PartitionInfo>> existing = consumer.listTopics(timeout);
        for (String topic : topics) {
            for (PartitionInfo info : existing.getOrDefault(topic, List.of())) {
                all.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (all.isEmpty()) {
            throw new CommandException("Kafka at " + bootstrap + " has none of " + what + " (" + topics.get(0)
                    + (topics.size() > 1 ? ", ..." : "") + "). Is it the MMedStream broker?");
        }
        consumer.assign(all);
        consumer.seekToBeginning(all);
        partitions = List.copyOf(all);
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
