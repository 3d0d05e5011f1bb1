package io.mmedstream.filter.dedup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.quarkus.logging.Log;

/**
 * Keeps the dedup indexes in line with the state topics, like a Kafka Streams store with its changelog.
 *
 * <p><b>Exact</b> (per input partition): before the first batch of a consumer group generation that holds input
 * partition p, the changelog partition p is read, on the calling thread, from where this instance last stopped (the
 * beginning at first) up to its high watermark as it was at that moment, read_committed: so every transaction that had
 * written to it, including the previous owner's last one, has been resolved and its entries (if committed) are in the
 * index. Within a generation no other instance writes partition p (a batch read in an older generation cannot commit:
 * KafkaTransactions aborts it, and the broker fences its offsets), so the index stays exact without reading back
 * this instance's own writes.
 *
 * <p><b>Near</b> (global): a {@link MinHashFollower} reads every partition of the MinHash topic on its own thread.
 * The first batch waits for its first full read; at a new generation a batch also waits until it has read the
 * batch's own partitions up to their high watermarks (the same handover guarantee as exact). Entries of partitions
 * owned by other instances arrive as the follower reads them: see README "Deduplication" for the race this leaves.
 */
public final class KafkaDedupState implements Deduplicator.StateSync {

    private final DedupSettings settings;
    private final String inputTopic;
    private final ExactIndex exact;
    private final LshIndex near;
    private final Clients clients;
    private final MinHashFollower follower;
    private final DedupEvents events;
    private KafkaConsumer<String, byte[]> restoreConsumer;
    private final Map<Integer, Long> exactPositions = new HashMap<>();
    private final Map<Integer, Integer> syncedGeneration = new HashMap<>();
    private volatile String layoutProblem;
    private volatile boolean layoutConfirmed;

    public KafkaDedupState(Map<String, Object> kafkaConfig, DedupSettings settings, String inputTopic,
            String instanceId, ExactIndex exact, LshIndex near, DedupEvents events) {
        this.settings = settings;
        this.inputTopic = inputTopic;
        this.exact = exact;
        this.near = near;
        this.clients = new Clients(kafkaConfig, instanceId);
        this.events = events;
        this.follower = settings.nearEnabled() ? new MinHashFollower(clients, settings, instanceId, near, events)
                : null;
    }

    /** The exact index this state fills. */
    public ExactIndex exactIndex() {
        return exact;
    }

    /** The near index this state fills. */
    public LshIndex nearIndex() {
        return near;
    }

    /** Starts following the MinHash topic (when near deduplication is on). */
    public void start() {
        if (follower != null) {
            follower.start();
        }
    }

    @Override
    public void sync(int generation, Set<Integer> partitions) {
        long deadline = System.nanoTime() + settings.restoreTimeout().toNanos();
        try {
            if (follower != null && !follower.awaitLoaded(deadline)) {
                throw new DedupStateException("the near-duplicate index is not loaded from " + settings.minhashTopic()
                        + " after " + settings.restoreTimeout() + (follower.problem() == null ? ""
                                : ": " + follower.problem()));
            }
            List<Integer> stale = new ArrayList<>();
            for (int p : new TreeSet<>(partitions)) {
                Integer synced = syncedGeneration.get(p);
                if (synced == null || synced != generation) {
                    stale.add(p);
                }
            }
            if (stale.isEmpty()) {
                return;
            }
            long start = System.nanoTime();
            List<TopicPartition> stateTps = new ArrayList<>();
            for (int p : stale) {
                if (settings.exactEnabled()) {
                    stateTps.add(new TopicPartition(settings.exactTopic(), p));
                }
                if (follower != null) {
                    stateTps.add(new TopicPartition(settings.minhashTopic(), p));
                }
            }
            Map<TopicPartition, Long> hw = clients.highWatermarks(stateTps);
            int restored = settings.exactEnabled() ? restoreExact(stale, hw, deadline) : 0;
            if (follower != null) {
                Map<Integer, Long> targets = new HashMap<>();
                for (int p : stale) {
                    targets.put(p, hw.get(new TopicPartition(settings.minhashTopic(), p)));
                }
                if (!follower.awaitPositions(targets, deadline)) {
                    throw new DedupStateException("the near-duplicate index has not read " + settings.minhashTopic()
                            + " partitions " + stale + " up to " + targets + " after " + settings.restoreTimeout()
                            + " (read up to " + follower.positions() + ")");
                }
            }
            for (int p : stale) {
                syncedGeneration.put(p, generation);
            }
            Log.infof("Dedup state in line for partitions %s of %s (generation %d): %d exact entries read, "
                    + "%d ms", stale, inputTopic, generation, restored,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DedupStateException("interrupted while reading the dedup state", e);
        }
    }

    /** Reads exact changelog partitions up to the given high watermarks; returns the number of entries read. */
    private int restoreExact(List<Integer> partitions, Map<TopicPartition, Long> hw, long deadline) {
        KafkaConsumer<String, byte[]> consumer = restoreConsumer();
        List<TopicPartition> tps = partitions.stream()
                .map(p -> new TopicPartition(settings.exactTopic(), p)).toList();
        consumer.assign(tps);
        for (TopicPartition tp : tps) {
            Long position = exactPositions.get(tp.partition());
            if (position == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, position);
            }
        }
        int read = 0;
        while (!reached(consumer, tps, hw)) {
            if (System.nanoTime() > deadline) {
                throw new DedupStateException("the exact changelog " + settings.exactTopic() + " partitions "
                        + partitions + " are not read up to " + hw + " after " + settings.restoreTimeout());
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                try {
                    exact.putIfAbsent(DedupCodec.decodeExact(record.value()));
                    read++;
                } catch (RuntimeException e) {
                    Log.errorf(e, "Unreadable exact-dedup state record %s-%d@%d (key %s) skipped: that document's "
                            + "exact state is lost", record.topic(), record.partition(), record.offset(),
                            record.key());
                    events.unreadableStateRecord(record.topic(), record.partition(), record.offset(), e);
                }
            }
        }
        for (TopicPartition tp : tps) {
            exactPositions.put(tp.partition(), consumer.position(tp));
        }
        consumer.assign(List.of());
        return read;
    }

    private static boolean reached(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> tps,
            Map<TopicPartition, Long> hw) {
        for (TopicPartition tp : tps) {
            if (consumer.position(tp) < hw.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private KafkaConsumer<String, byte[]> restoreConsumer() {
        if (restoreConsumer == null) {
            restoreConsumer = clients.stateConsumer("exact-restore");
        }
        return restoreConsumer;
    }

    /** Whether the near index has been read in full once (always true when near deduplication is off). */
    public boolean nearLoaded() {
        return follower == null || follower.loaded();
    }

    /**
     * What keeps the dedup state from working, or {@code null}: a state topic missing, or with another partition
     * count than the input topic (entries go to the input record's partition), or the follower not reading. Asks
     * the broker until the layout was once found right.
     */
    public String problem() {
        if (!layoutConfirmed) {
            layoutProblem = checkLayout();
            layoutConfirmed = layoutProblem == null;
        }
        if (layoutProblem != null) {
            return layoutProblem;
        }
        if (follower != null && follower.problem() != null) {
            return follower.problem();
        }
        return nearLoaded() ? null : "the near-duplicate index is loading from " + settings.minhashTopic();
    }

    private String checkLayout() {
        List<String> topics = new ArrayList<>(List.of(inputTopic));
        if (settings.exactEnabled()) {
            topics.add(settings.exactTopic());
        }
        if (settings.nearEnabled()) {
            topics.add(settings.minhashTopic());
        }
        try {
            Map<String, TopicDescription> described = clients.admin().describeTopics(topics).allTopicNames()
                    .get(10, TimeUnit.SECONDS);
            int input = described.get(inputTopic).partitions().size();
            for (String topic : topics) {
                int count = described.get(topic).partitions().size();
                if (count != input) {
                    return topic + " has " + count + " partitions, " + inputTopic + " has " + input
                            + ": the dedup state topics need as many as the input";
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException | TimeoutException e) {
            return "cannot describe " + topics + ": " + (e.getCause() == null ? e : e.getCause());
        }
    }

    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
        if (restoreConsumer != null) {
            restoreConsumer.close();
            restoreConsumer = null;
        }
        clients.close();
    }

    /** The dedup state could not be read in time; the batch's transaction aborts and the batch is read again. */
    public static final class DedupStateException extends RuntimeException {
        public DedupStateException(String message) {
            super(message);
        }

        public DedupStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Kafka clients of the dedup state, configured from the service's Kafka configuration. */
    static final class Clients implements AutoCloseable {
        private final Map<String, Object> kafkaConfig;
        private final String instanceId;
        private Admin admin;

        Clients(Map<String, Object> kafkaConfig, String instanceId) {
            this.kafkaConfig = Map.copyOf(kafkaConfig);
            this.instanceId = instanceId;
        }

        /** A group-less read_committed consumer, for manual assignment. */
        KafkaConsumer<String, byte[]> stateConsumer(String role) {
            Map<String, Object> config = new HashMap<>();
            kafkaConfig.forEach((k, v) -> {
                if (ConsumerConfig.configNames().contains(k)) {
                    config.put(k, v);
                }
            });
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, "filter-dedup-" + role + "-" + instanceId);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        }

        /** End offsets including open transactions' records (read_uncommitted "latest"). */
        Map<TopicPartition, Long> highWatermarks(List<TopicPartition> tps) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            tps.forEach(tp -> request.put(tp, OffsetSpec.latest()));
            try {
                Map<TopicPartition, Long> out = new HashMap<>();
                admin().listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                        .get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
                return out;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DedupStateException("interrupted while asking for end offsets of " + tps, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new DedupStateException("cannot get the end offsets of " + tps + ": "
                        + (e.getCause() == null ? e : e.getCause()), e);
            }
        }

        synchronized Admin admin() {
            if (admin == null) {
                Map<String, Object> config = new HashMap<>();
                kafkaConfig.forEach((k, v) -> {
                    if (AdminClientConfig.configNames().contains(k)) {
                        config.put(k, v);
                    }
                });
                config.put(AdminClientConfig.CLIENT_ID_CONFIG, "filter-dedup-admin-" + instanceId);
                config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
                config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
                admin = Admin.create(config);
            }
            return admin;
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
    }
}
