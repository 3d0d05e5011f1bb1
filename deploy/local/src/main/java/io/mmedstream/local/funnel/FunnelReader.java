package io.mmedstream.local.funnel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.stack.TopicTail;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;

/**
 * Reads the pipeline's topics from the beginning ({@link TopicTail}: {@code read_committed}, so only what the services
 * committed counts, never an aborted transaction's output) and tallies the funnel. It keeps its position: each
 * {@link #catchUp} reads only what was added since the last one, so a live view stays cheap.
 */
public final class FunnelReader implements AutoCloseable {

    /** The data plane's topics, from submission to shard announcement. */
    static final List<String> FUNNEL_TOPICS = List.of(Topics.DOCS_SUBMITTED, Topics.DOCS_INGESTED,
            Topics.DOCS_REJECTED, Topics.DOCS_ACCEPTED, Topics.DOCS_DROPPED, Topics.DOCS_FILTER_DLQ,
            Topics.SHARDS_READY);

    private final TopicTail tail;
    private final FunnelTally tally = new FunnelTally();
    private final AvroDeserializer<DocumentRejected> rejected = new AvroDeserializer<>(DocumentRejected.class);
    private final AvroDeserializer<DocumentDropped> dropped = new AvroDeserializer<>(DocumentDropped.class);
    private final AvroDeserializer<ShardReady> shards = new AvroDeserializer<>(ShardReady.class);
    private final List<String> shardIds = new ArrayList<>();

    private FunnelReader(TopicTail tail) {
        this.tail = tail;
    }

    /** A reader of the topics on {@code bootstrap}; connects lazily, on the first {@link #catchUp}. */
    public static FunnelReader open(String bootstrap) {
        return new FunnelReader(TopicTail.open(bootstrap, "mmed-funnel", FUNNEL_TOPICS, "the pipeline's topics",
                Map.of(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_RECORD_BYTES,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000)));
    }

    /**
     * Reads every topic up to its end as of this call and returns the funnel.
     *
     * @throws CommandException when the broker does not answer or the topics cannot be read within {@code timeout}
     */
    public FunnelCounts catchUp(Duration timeout) {
        tail.catchUp(timeout, this::count);
        return tally.snapshot();
    }

    /**
     * The ids of the shard announcements read so far, in the order read: those after the first {@code n} are the
     * shards announced since the {@link #catchUp} whose counts showed {@code n} shards.
     */
    public List<String> shardIds() {
        return List.copyOf(shardIds);
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
        tail.close();
    }
}
