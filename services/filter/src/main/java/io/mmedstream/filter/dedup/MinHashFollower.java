package io.mmedstream.filter.dedup;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.quarkus.logging.Log;

/**
 * Reads the whole MinHash topic (all partitions, read_committed) into the near-duplicate index and keeps following
 * it, on its own thread: the index is a global table of every accepted document's signature, whichever instance
 * accepted it. Reports when the first full read (up to the end offsets found at start) is done, and how far it has
 * read each partition, so that a batch can wait for its own partitions' state.
 */
final class MinHashFollower implements Runnable, AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final long RETRY_MS = 1_000;

    private final KafkaDedupState.Clients clients;
    private final String topic;
    private final String scheme;
    private final double threshold;
    private final String instanceId;
    private final LshIndex index;
    private final DedupEvents events;

    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean loaded;
    private volatile String problem = "not started";
    private volatile KafkaConsumer<String, byte[]> consumer;

    MinHashFollower(KafkaDedupState.Clients clients, DedupSettings settings, String instanceId, LshIndex index,
            DedupEvents events) {
        this.clients = clients;
        this.topic = settings.minhashTopic();
        this.scheme = settings.scheme();
        this.threshold = settings.threshold();
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.index = index;
        this.events = events;
        this.thread = new Thread(this, "filter-dedup-minhash-follower");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Whether the first full read is done. */
    boolean loaded() {
        return loaded;
    }

    /** Why the follower is not reading, or {@code null}. */
    String problem() {
        return problem;
    }

    @Override
    public void run() {
        long startNanos = System.nanoTime();
        Map<TopicPartition, Long> loadTarget = null;
        while (running) {
            try (KafkaConsumer<String, byte[]> c = clients.stateConsumer("minhash-follower")) {
                consumer = c;
                List<TopicPartition> partitions = partitions(c);
                if (partitions.isEmpty()) {
                    problem = "topic " + topic + " not found";
                    pause();
                    continue;
                }
                c.assign(partitions);
                for (TopicPartition tp : partitions) {
                    Long position = positions.get(tp.partition());
                    if (position == null) {
                        c.seekToBeginning(List.of(tp));
                    } else {
                        c.seek(tp, position);
                    }
                }
                if (loadTarget == null) {
                    loadTarget = clients.highWatermarks(partitions);
                }
                problem = null;
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                        apply(record);
                    }
                    for (TopicPartition tp : partitions) {
                        positions.put(tp.partition(), c.position(tp));
                    }
                    if (!loaded && reached(loadTarget)) {
                        loaded = true;
                        Log.infof("Near-duplicate index loaded from %s: %d documents in %d ms", topic, index.size(),
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                    }
                    signal();
                }
            } catch (WakeupException e) {
                if (running) {
                    Log.warnf("The %s follower was woken up unexpectedly; resuming", topic);
                }
            } catch (RuntimeException e) {
                problem = "reading " + topic + ": " + e;
                Log.warnf(e, "Cannot read %s; retrying in %d ms from the positions reached", topic, RETRY_MS);
                pause();
            } finally {
                consumer = null;
            }
        }
    }

    /** Waits until the first full read is done; false on timeout. */
    boolean awaitLoaded(long deadlineNanos) throws InterruptedException {
        return await(deadlineNanos, () -> loaded);
    }

    /** Waits until every given partition has been read at least up to its offset; false on timeout. */
    boolean awaitPositions(Map<Integer, Long> targets, long deadlineNanos) throws InterruptedException {
        return await(deadlineNanos, () -> {
            for (Map.Entry<Integer, Long> t : targets.entrySet()) {
                Long position = positions.get(t.getKey());
                if (position == null || position < t.getValue()) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Read positions per partition (next offset to read). */
    Map<Integer, Long> positions() {
        return new HashMap<>(positions);
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        NearEntry entry;
        try {
            entry = DedupCodec.decodeNear(record.value());
        } catch (RuntimeException e) {
            Log.errorf(e, "Unreadable near-dedup state record %s-%d@%d (key %s) skipped: that document's signature is "
                    + "lost", record.topic(), record.partition(), record.offset(), record.key());
            events.unreadableStateRecord(record.topic(), record.partition(), record.offset(), e);
            return;
        }
        if (!scheme.equals(entry.scheme())) {
            events.foreignScheme(entry.docId(), entry.scheme());
            return;
        }
        boolean mine = instanceId.equals(entry.instanceId());
        if (loaded && !mine) {
            LshIndex.Match match = index.bestMatch(entry.signature(), threshold);
            // Both instances see the pair; the one whose own document has the smaller id reports it.
            if (match != null && match.local() && match.docId().compareTo(entry.docId()) < 0) {
                events.nearDuplicatesBothAccepted(match.docId(), entry, match.jaccard());
            }
        }
        index.add(entry.docId(), entry.signature(), mine);
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private boolean reached(Map<TopicPartition, Long> target) {
        for (Map.Entry<TopicPartition, Long> t : target.entrySet()) {
            Long position = positions.get(t.getKey().partition());
            if (position == null || position < t.getValue()) {
                return false;
            }
        }
        return true;
    }

    private interface Check {
        boolean done();
    }

    private boolean await(long deadlineNanos, Check check) throws InterruptedException {
        lock.lock();
        try {
            while (!check.done()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progressed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void pause() {
        lock.lock();
        try {
            if (running) {
                progressed.await(RETRY_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        signal();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
