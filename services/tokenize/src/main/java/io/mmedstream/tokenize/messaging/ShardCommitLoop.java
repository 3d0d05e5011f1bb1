package io.mmedstream.tokenize.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;
import io.mmedstream.tokenize.domain.ShardManifest;
import io.mmedstream.tokenize.service.ModelTokenizer;
import io.mmedstream.tokenize.service.PartitionBuffer;
import io.mmedstream.tokenize.service.ShardBuilder;
import io.mmedstream.tokenize.service.ShardNames;
import io.mmedstream.tokenize.service.ShardPolicy;
import io.mmedstream.tokenize.service.ShardStore;
import io.quarkus.logging.Log;

/**
 * The consume-tokenize-commit loop: consumes {@link DocumentAccepted} from {@value Topics#DOCS_ACCEPTED}, packs each
 * source partition's documents into its own open shard, and when a shard is due writes it atomically to the storage
 * directory and then, in one Kafka transaction, emits {@link ShardReady} to {@value Topics#SHARDS_READY} and commits
 * the consumer offsets up to the shard's last record. Runs on one dedicated thread (see the service README, DESIGN).
 *
 * <p>Recovery: when a partition is assigned, shard files of that partition at or after the group's committed offset
 * (written, never committed) are deleted before any record is read, so that the shard made again is the only one.
 * Any failure of Kafka or of the storage tears the session down (nothing is committed) and starts a new one after a
 * backoff, which re-reads from the committed offsets. An undecodable record is skipped: logged, counted, and covered
 * by the next committed offset.
 */
public final class ShardCommitLoop implements Runnable {

    /** Where the loop is. */
    public enum State {
        /** Not polling yet. */
        STARTING,
        /** Polling the broker. */
        RUNNING,
        /** Waiting to reconnect after a failure. */
        RECONNECTING,
        /** Stopped on request. */
        STOPPED,
        /** Died of an unexpected error; the process should be restarted. */
        FAILED
    }

    /** What the health checks report. */
    public record Status(State state, boolean connected, Set<Integer> partitions, Instant lastPollAt,
            String lastError) {
    }

    /**
     * The loop's settings.
     *
     * @param kafka common Kafka client settings (bootstrap servers, security); the loop sets its own on top
     */
    public record Settings(Map<String, Object> kafka, String groupId, String transactionalId, int maxPollRecords,
            Duration pollTimeout, Duration sessionTimeout, Duration retryBackoff, Duration maxRetryBackoff,
            int seqLen, ShardPolicy policy) {

        public Settings {
            if (groupId == null || groupId.isBlank() || transactionalId == null || transactionalId.isBlank()) {
                throw new IllegalArgumentException("a consumer group id and a transactional id are required");
            }
            if (maxPollRecords < 1 || seqLen < 1) {
                throw new IllegalArgumentException("max-poll-records and seq-len must be >= 1");
            }
            if (pollTimeout.isNegative() || retryBackoff.isNegative() || maxRetryBackoff.isNegative()) {
                throw new IllegalArgumentException("durations must not be negative");
            }
        }
    }

    private final Settings settings;
    private final ModelTokenizer tokenizer;
    private final ShardStore store;
    private final TokenizeMetrics metrics;
    private final AvroDeserializer<DocumentAccepted> decoder = new AvroDeserializer<>(DocumentAccepted.class);

    /** Open shards by source partition; touched by the loop thread only. */
    private final Map<Integer, PartitionBuffer> buffers = new HashMap<>();

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private boolean sessionPolled;
    private volatile boolean stopping;
    private volatile KafkaConsumer<String, byte[]> activeConsumer;
    private volatile State state = State.STARTING;
    private volatile boolean connected;
    private volatile Set<Integer> assigned = Set.of();
    private volatile Instant lastPollAt;
    private volatile String lastError;

    public ShardCommitLoop(Settings settings, ModelTokenizer tokenizer, ShardStore store, TokenizeMetrics metrics) {
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.store = store;
        this.metrics = metrics;
    }

    /** The loop's state for health checks; safe from any thread. */
    public Status status() {
        return new Status(state, connected, assigned, lastPollAt, lastError);
    }

    /** Asks the loop to commit its open shards and stop; returns at once. */
    public void stop() {
        stopping = true;
        stopRequested.countDown();
        KafkaConsumer<String, byte[]> consumer = activeConsumer;
        if (consumer != null) {
            consumer.wakeup(); // the only consumer method that is safe from another thread
        }
    }

    @Override
    public void run() {
        Duration nextWait = settings.retryBackoff();
        try {
            while (!stopping) {
                try {
                    session(); // returns only once stopping
                } catch (RuntimeException e) { // includes WakeupException and InterruptException
                    if (stopping) {
                        Log.debugf(e, "tokenize loop ended while stopping: %s", e);
                        break;
                    }
                    // A session that worked for a while waits the first backoff; one that never got to poll (broker
                    // down, bad settings) waits twice as long as the last time, up to the maximum.
                    Duration wait = sessionPolled ? settings.retryBackoff() : nextWait;
                    state = State.RECONNECTING;
                    lastError = e.toString();
                    metrics.restarted();
                    Log.warnf(e, "tokenize loop failed: %s; reconnecting in %s and reading again from the committed "
                            + "offsets (uncommitted shards are removed and made again)", e, wait);
                    awaitStop(wait);
                    nextWait = min(wait.multipliedBy(2), settings.maxRetryBackoff());
                }
            }
            state = State.STOPPED;
            Log.infof("tokenize loop stopped");
        } catch (Throwable e) {
            state = State.FAILED;
            lastError = e.toString();
            Log.errorf(e, "tokenize loop died: %s; no more documents are tokenized until the service restarts", e);
            throw e;
        } finally {
            connected = false;
            assigned = Set.of();
        }
    }

    /** One consumer/producer session: runs until stop or a failure. */
    private void session() {
        buffers.clear();
        sessionPolled = false;
        KafkaProducer<String, byte[]> producer = null;
        KafkaConsumer<String, byte[]> consumer = null;
        try {
            producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
            consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
            activeConsumer = consumer;
            if (stopping) {
                return;
            }
            // Fences an earlier incarnation of this instance and aborts its open transaction (after a kill -9).
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.DOCS_ACCEPTED), new Rebalance(consumer));
            Log.infof("tokenize loop consuming %s as group %s (transactional id %s), writing shards to %s",
                    Topics.DOCS_ACCEPTED, settings.groupId(), settings.transactionalId(), store.dir());
            while (!stopping) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(settings.pollTimeout());
                } catch (WakeupException e) {
                    if (stopping) {
                        break;
                    }
                    throw e;
                }
                sessionPolled = true;
                lastPollAt = Instant.now();
                connected = connectionCount(consumer.metrics()) > 0;
                state = State.RUNNING;
                for (ConsumerRecord<String, byte[]> record : records) {
                    handle(record, producer, consumer);
                }
                Instant now = Instant.now();
                for (PartitionBuffer buffer : new ArrayList<>(buffers.values())) {
                    if (buffer.isDue(now)) {
                        commit(buffer, producer, consumer);
                    }
                }
                metrics.openTokens(buffers.values().stream().mapToLong(b -> b.shard().tokenCount()).sum());
            }
            commitOpenShards(producer, consumer);
        } finally {
            activeConsumer = null;
            connected = false;
            assigned = Set.of();
            buffers.clear();
            metrics.openTokens(0);
            closeQuietly(consumer, producer);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> consumer) {
        metrics.recordIn();
        long started = System.nanoTime();
        Instant now = Instant.now();
        PartitionBuffer buffer = buffers.get(record.partition());
        if (buffer == null) {
            throw new IllegalStateException("record of unassigned partition " + record.topic() + "-"
                    + record.partition() + "@" + record.offset());
        }
        DocumentAccepted doc;
        try {
            doc = decode(record);
        } catch (SerializationException e) {
            skip(record, buffer, now, "invalid_avro", e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
            return;
        }
        if (doc == null) {
            skip(record, buffer, now, "null_value", "the record has no value");
            return;
        }
        if (isBlank(doc.getDocId()) || isBlank(doc.getLang())) {
            skip(record, buffer, now, "invalid_document", "doc_id and lang are required");
            return;
        }
        int[] tokens;
        try {
            tokens = tokenizer.encode(doc.getText());
        } catch (RuntimeException e) {
            skip(record, buffer, now, "tokenizer_error", e.toString());
            return;
        }
        buffer.add(record.offset(), doc.getDocId(), doc.getLang(), tokens, now);
        metrics.processed(System.nanoTime() - started);
        Log.debugf("tokenized %s from %s-%d@%d: %d tokens (%s)", doc.getDocId(), record.topic(), record.partition(),
                record.offset(), tokens.length, doc.getLang());
        if (buffer.isFull()) {
            commit(buffer, producer, consumer);
        }
    }

    private DocumentAccepted decode(ConsumerRecord<String, byte[]> record) {
        return record.value() == null ? null : decoder.decode(record.value());
    }

    /**
     * A record that can never be tokenized. Accepted documents come from our own filter, so this is a contract
     * violation; the pipeline has no dead-letter topic for tokenize (the record stays on its topic for inspection),
     * so it is logged with its position, counted, and left out of every shard.
     */
    private void skip(ConsumerRecord<String, byte[]> record, PartitionBuffer buffer, Instant now, String reason,
            String detail) {
        Log.warnf("skipping record %s-%d@%d (key %s): %s: %s; it will be in no shard", record.topic(),
                record.partition(), record.offset(), record.key(), reason, detail);
        metrics.rejected(reason);
        buffer.skip(record.offset(), now);
    }

    /** Writes the partition's open shard (if it has documents) and commits it with the partition's offset. */
    private void commit(PartitionBuffer buffer, KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> consumer) {
        long started = System.nanoTime();
        TopicPartition source = new TopicPartition(Topics.DOCS_ACCEPTED, buffer.partition());
        ShardBuilder shard = buffer.shard();
        ShardManifest manifest = null;
        if (!shard.isEmpty()) {
            String shardId = ShardNames.shardId(tokenizer.name(), buffer.partition(), shard.firstOffset());
            try {
                manifest = shard.writeTo(store.dir(), shardId);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write shard " + shardId + " to " + store.dir(), e);
            }
        }
        producer.beginTransaction();
        try {
            if (manifest != null) {
                producer.send(new ProducerRecord<>(Topics.SHARDS_READY, manifest.shardId(),
                        AvroSerializer.encode(shardReady(manifest))));
            }
            producer.sendOffsetsToTransaction(Map.of(source, new OffsetAndMetadata(buffer.commitOffset())),
                    consumer.groupMetadata());
            producer.commitTransaction();
        } catch (KafkaException e) {
            abortQuietly(producer, e);
            throw e;
        }
        long offset = buffer.commitOffset();
        buffer.committed();
        if (manifest != null) {
            metrics.shardCommitted(manifest, System.nanoTime() - started);
            Log.infof("shard %s committed: %d documents, %d tokens, %d sequences of %d, from %s-%d@%d..%d %s",
                    manifest.shardId(), manifest.documentCount(), manifest.tokenCount(), manifest.sequenceCount(),
                    manifest.seqLen(), Topics.DOCS_ACCEPTED, buffer.partition(), manifest.firstOffset(),
                    manifest.lastOffset(), manifest.tokensPerLang());
        } else {
            Log.infof("committed %s-%d up to offset %d (skipped records only)", Topics.DOCS_ACCEPTED,
                    buffer.partition(), offset);
        }
    }

    /** On a clean stop, open shards are committed rather than re-read by the next owner. */
    private void commitOpenShards(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer) {
        for (PartitionBuffer buffer : new ArrayList<>(buffers.values())) {
            if (buffer.hasUncommittedOffsets()) {
                commit(buffer, producer, consumer);
            }
        }
    }

    private ShardReady shardReady(ShardManifest manifest) {
        return ShardReady.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setShardId(manifest.shardId())
                .setUri(store.manifestPath(manifest.shardId()).toUri().toString())
                .setTokenizerName(manifest.tokenizerName())
                .setTokenizerSha256(manifest.tokenizerSha256())
                .setSeqLen(manifest.seqLen())
                .setTokenCount(manifest.tokenCount())
                .setDocumentCount(manifest.documentCount())
                .setSequenceCount(manifest.sequenceCount())
                .setTokensPerLang(new HashMap<>(manifest.tokensPerLang()))
                .setDocsPerLang(new HashMap<>(manifest.docsPerLang()))
                .setTokensSha256(manifest.tokensSha256())
                .setSourcePartition(manifest.sourcePartition())
                .setFirstOffset(manifest.firstOffset())
                .setLastOffset(manifest.lastOffset())
                .build();
    }

    /** Assignment runs recovery before the partition's first record; revocation drops open shards. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final KafkaConsumer<String, byte[]> consumer;

        Rebalance(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // read_committed consumers fetch only stable offsets: an earlier transaction still in flight is
            // finished (or aborted) before this answers.
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions),
                    Duration.ofSeconds(60));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata offset = committed.get(tp);
                long next = offset == null ? 0 : offset.offset();
                ShardStore.Recovery recovery;
                try {
                    recovery = store.recoverPartition(tokenizer.name(), settings.groupId(), tp.partition(), next);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot recover " + tp + " in " + store.dir(), e);
                }
                if (!recovery.deletedShards().isEmpty() || recovery.deletedStagingFolders() > 0) {
                    Log.infof("partition %s assigned at committed offset %d: removed uncommitted shard files %s "
                            + "and %d staging folder(s); their documents are read again", tp, next,
                            recovery.deletedShards(), recovery.deletedStagingFolders());
                } else {
                    Log.infof("partition %s assigned at committed offset %d", tp, next);
                }
                if (!recovery.foreignShards().isEmpty()) {
                    Log.warnf("partition %s: shards %s in %s name another consumer group than %s; left alone "
                            + "(one group per storage directory and tokenizer)", tp, recovery.foreignShards(),
                            store.dir(), settings.groupId());
                }
                int partition = tp.partition();
                buffers.put(partition, new PartitionBuffer(partition, next, settings.policy(),
                        () -> ShardBuilder.forTokenizer(tokenizer, settings.seqLen())
                                .source(Topics.DOCS_ACCEPTED, partition, settings.groupId())));
            }
            assigned = Set.copyOf(new TreeSet<>(buffers.keySet()));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                PartitionBuffer dropped = buffers.remove(tp.partition());
                if (dropped != null && !dropped.shard().isEmpty()) {
                    Log.infof("partition %s revoked: dropping its open shard (%d documents from offset %d); the next "
                            + "owner reads them again from offset %d", tp, dropped.shard().documentCount(),
                            dropped.shard().firstOffset(), dropped.committedOffset());
                }
            }
            assigned = Set.copyOf(new TreeSet<>(buffers.keySet()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(settings.kafka());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-consumer");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        int session = (int) settings.sessionTimeout().toMillis();
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, session);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, session / 3));
        // Moves only the partitions that change owner, so a rebalance does not drop every open shard.
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(settings.kafka());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-producer");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        return config;
    }

    private static double connectionCount(Map<MetricName, ? extends Metric> metrics) {
        double count = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
            if ("connection-count".equals(metric.getKey().name())
                    && metric.getValue().metricValue() instanceof Number n) {
                count += n.doubleValue();
            }
        }
        return count;
    }

    /** Aborts an open transaction unless the producer can no longer do so (fenced or broken). */
    private static void abortQuietly(KafkaProducer<String, byte[]> producer, KafkaException cause) {
        if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException
                || cause instanceof OutOfOrderSequenceException || cause instanceof AuthorizationException
                || cause instanceof UnsupportedVersionException) {
            return; // fatal for this producer: the coordinator aborts the transaction, the session restarts
        }
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            cause.addSuppressed(e);
        }
    }

    private static void closeQuietly(KafkaConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> producer) {
        if (consumer != null) {
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                Log.debugf(e, "closing the consumer: %s", e);
            }
        }
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                Log.debugf(e, "closing the producer: %s", e);
            }
        }
    }

    private void awaitStop(Duration duration) {
        try {
            stopRequested.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
