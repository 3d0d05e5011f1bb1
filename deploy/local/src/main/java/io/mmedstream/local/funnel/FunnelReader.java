package io.mmedstream.local.funnel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.stack.BrokerCheck;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;

/**
 * Reads the pipeline's topics from the beginning with a {@code read_committed} consumer (so only what the services
 * committed counts, never an aborted transaction's output) and tallies the funnel. It keeps its position: each
 * {@link #catchUp} reads only what was added since the last one, so a live view stays cheap.
 *
 * <p>Uses no consumer group: it assigns every partition itself and commits nothing.
 */
public final class FunnelReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    /** The data plane's topics, from submission to shard announcement. */
    static final List<String> FUNNEL_TOPICS = List.of(Topics.DOCS_SUBMITTED, Topics.DOCS_INGESTED,
            Topics.DOCS_REJECTED, Topics.DOCS_ACCEPTED, Topics.DOCS_DROPPED, Topics.DOCS_FILTER_DLQ,
            Topics.SHARDS_READY);

    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final FunnelTally tally = new FunnelTally();
    private final AvroDeserializer<DocumentRejected> rejected = new AvroDeserializer<>(DocumentRejected.class);
    private final AvroDeserializer<DocumentDropped> dropped = new AvroDeserializer<>(DocumentDropped.class);
    private final AvroDeserializer<ShardReady> shards = new AvroDeserializer<>(ShardReady.class);
    private final List<String> shardIds = new ArrayList<>();
    private List<TopicPartition> partitions = List.of();

    private FunnelReader(String bootstrap, KafkaConsumer<byte[], byte[]> consumer) {
        this.bootstrap = bootstrap;
        this.consumer = consumer;
    }

    /** A reader of the topics on {@code bootstrap}; connects lazily, on the first {@link #catchUp}. */
    public static FunnelReader open(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(BrokerCheck.security());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "mmed-funnel");
        return new FunnelReader(bootstrap,
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /**
     * Reads every topic up to its end as of this call and returns the funnel.
     *
     * @throws CommandException when the broker does not answer or the topics cannot be read within {@code timeout}
     */
    public FunnelCounts catchUp(Duration timeout) {
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
                    return tally.snapshot();
                }
                if (System.nanoTime() > deadline) {
                    throw new CommandException("reading the topics on " + bootstrap + " took longer than "
                            + timeout.toSeconds() + " s; still behind on " + behind);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    count(record);
                }
            }
        } catch (KafkaException e) {
            throw new CommandException("cannot read the pipeline's topics from Kafka at " + bootstrap + ": "
                    + e.getMessage() + ". Is the stack up? (./mmed up)", e);
        }
    }

    /**
     * The ids of the shard announcements read so far, in the order read: those after the first {@code n} are the
     * shards announced since the {@link #catchUp} whose counts showed {@code n} shards.
     */
    public List<String> shardIds() {
        return List.copyOf(shardIds);
    }

    private void assignAll(Duration timeout) {
        List<TopicPartition> all = new ArrayList<>();
        Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
        for (String topic : FUNNEL_TOPICS) {
            for (PartitionInfo info : topics.getOrDefault(topic, List.of())) {
                all.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (all.isEmpty()) {
            throw new CommandException("Kafka at " + bootstrap + " has none of the pipeline's topics ("
                    + Topics.DOCS_SUBMITTED + ", ...). Is it the MMedStream broker?");
        }
        consumer.assign(all);
        consumer.seekToBeginning(all);
        partitions = List.copyOf(all);
    }

    private void count(ConsumerRecord<byte[], byte[]> record) {
        switch (record.topic()) {
            case Topics.DOCS_SUBMITTED -> tally.submitted();
            case Topics.DOCS_INGESTED -> tally.ingested();
            case Topics.DOCS_ACCEPTED -> tally.accepted();
            case Topics.DOCS_REJECTED -> {
                try {
                    tally.rejected(rejected.decode(record.value()));
                } catch (RuntimeException e) {
                    tally.rejectedUnreadable();
                }
            }
            case Topics.DOCS_DROPPED -> {
                try {
                    tally.dropped(dropped.decode(record.value()));
                } catch (RuntimeException e) {
                    tally.droppedUnreadable();
                }
            }
            case Topics.DOCS_FILTER_DLQ -> {
                // The filter's dead letters are ingested records it could not use: they end the funnel as drops.
                var reason = record.headers().lastHeader("dead-letter-reason");
                tally.deadLettered(reason == null ? "unspecified"
                        : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8));
            }
            case Topics.SHARDS_READY -> {
                // A shard announcement that cannot be read would silently break the accounting: fail loudly.
                ShardReady shard = shards.decode(record.value());
                tally.shard(shard);
                shardIds.add(shard.getShardId());
            }
            default -> {
                // not a funnel topic
            }
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
