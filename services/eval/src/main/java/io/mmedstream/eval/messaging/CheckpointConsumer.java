package io.mmedstream.eval.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;

import io.mmedstream.eval.domain.ServingModel;
import io.mmedstream.eval.service.CheckpointEvaluator;
import io.mmedstream.triton.client.TritonException;
import io.mmedstream.eval.service.CheckpointEvaluator.Outcome;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

/**
 * The consume-evaluate-produce loop, on one thread with plain Kafka clients.
 *
 * <p>Long work: an evaluation takes minutes to hours, far beyond {@code max.poll.interval.ms}. It runs on a worker
 * thread while this thread keeps polling with every assigned partition PAUSED, so the consumer stays in its group and
 * nothing new is fetched (records a rebalance hands over meanwhile are sought back and paused too).
 *
 * <p>Exactly once: the EvalCompleted, the ModelPromoted (when promoted) and the consumed offset commit in ONE Kafka
 * transaction, fenced by the consumer's group metadata. A crash before the commit re-reads the checkpoint and
 * re-evaluates it (nothing was published); a checkpoint that already has a committed result on this benchmark (read
 * back by {@link ResultsView} before every evaluation) is skipped, so no checkpoint is evaluated twice into the topics.
 *
 * <p>Failures: an undecodable record or a checkpoint that cannot be used (missing directory, non-local URI) is a
 * permanent failure: logged with topic-partition@offset, counted in {@code mmed.records.rejected{reason}}, and its
 * offset committed. Anything else is retried from the same record after a backoff that doubles with each failure in
 * a row (up to {@link RetryPolicy#maxBackoff()}). A backend that is unreachable or busy (gRPC UNAVAILABLE,
 * RESOURCE_EXHAUSTED, CANCELLED, ABORTED), a retriable Kafka error or storage that fails (an I/O error, not a file
 * that cannot be parsed) is retried until it is back: the checkpoint is not at fault. Other failures (the backend
 * refuses to load the checkpoint, a load or generation outlasts its deadline, a generation fails) count against the
 * checkpoint: after {@link RetryPolicy#maxAttempts()} of them eval gives up on it, records why
 * in {@code <reports>/<checkpoint>/failure.json}, counts it in {@code mmed.records.rejected{reason=
 * evaluation_failed}}, commits its offset and goes on with the next checkpoint, which one broken checkpoint would
 * otherwise block forever. Sending its CheckpointReady again retries it. The count lives in memory: a restart
 * starts it again. A result whose transaction aborts is handled the same way (a retriable Kafka error does not
 * count), so that it is not re-evaluated at once, forever.
 *
 * <p>Kafka failures (the transactions' initialisation, reading results back, a commit, polling while an evaluation
 * runs) end the session without counting against a checkpoint: its clients are closed and a new session starts after
 * the same doubling backoff, from the committed offsets. Liveness stays up meanwhile; readiness goes down while no
 * session polls.
 */
public final class CheckpointConsumer implements Runnable {

    /** How failed evaluations are retried. */
    public record RetryPolicy(Duration backoff, Duration maxBackoff, int maxAttempts) {
        public RetryPolicy {
            if (backoff.isNegative() || backoff.isZero() || maxBackoff.compareTo(backoff) < 0 || maxAttempts < 1) {
                throw new IllegalArgumentException("retry policy needs 0 < backoff <= max backoff and at least one"
                        + " attempt (mmed.eval.consumer.retry-backoff, max-retry-backoff, max-attempts), got "
                        + backoff + ", " + maxBackoff + ", " + maxAttempts);
            }
        }

        /** The wait after {@code failures} failures in a row (1: {@link #backoff}). */
        public Duration delay(int failures) {
            Duration d = backoff;
            for (int i = 1; i < failures && d.compareTo(maxBackoff) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
        }
    }

    // DEADLINE_EXCEEDED is not among them: a checkpoint whose load always outlasts the deadline would block every
    // later one. CANCELLED is what a stop or a cancelled evaluation gives.
    private static final java.util.Set<io.grpc.Status.Code> BACKEND_DOWN = java.util.EnumSet.of(
            io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.Code.RESOURCE_EXHAUSTED, io.grpc.Status.Code.CANCELLED,
            io.grpc.Status.Code.ABORTED);
    /** Entries of the per-checkpoint failure counts kept at most (checkpoints that failed and were not seen since). */
    private static final int MAX_TRACKED_FAILURES = 1000;

    /** A Kafka failure of the session while an evaluation ran: ends the session, never counts against a checkpoint. */
    private static final class SessionFailure extends RuntimeException {
        SessionFailure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final Map<String, Object> kafka;
    private final String groupId;
    private final String transactionalId;
    private final Duration pollTimeout;
    private final String benchmarkName;
    private final String modelName;
    private final CheckpointEvaluator evaluator;
    private final RetryPolicy retry;
    private final MeterRegistry metrics;
    private final AvroDeserializer<CheckpointReady> decoder = new AvroDeserializer<>(CheckpointReady.class);
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "eval-worker");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running = true;
    private volatile Instant lastPoll;
    private volatile boolean started;
    private boolean sessionPolled;
    // On the loop thread only: failures in a row, of any checkpoint (the backoff), and the counted failures of each
    // checkpoint not yet evaluated or given up on (other checkpoints may be evaluated in between).
    private int failuresInARow;
    private final Map<String, Integer> failedAttempts = new HashMap<>();

    /**
     * @param kafka common Kafka client settings: bootstrap servers and security (every {@code kafka.*} property);
     *              the loop sets its own on top
     */
    public CheckpointConsumer(Map<String, Object> kafka, String groupId, String transactionalId, Duration pollTimeout,
                              String benchmarkName, String modelName, CheckpointEvaluator evaluator,
                              RetryPolicy retry, MeterRegistry metrics) {
        this.kafka = Map.copyOf(kafka);
        this.groupId = groupId;
        this.transactionalId = transactionalId;
        this.pollTimeout = pollTimeout;
        this.benchmarkName = benchmarkName;
        this.modelName = modelName;
        this.evaluator = evaluator;
        this.retry = retry;
        this.metrics = metrics;
    }

    /** Whether the loop runs and polled recently (readiness). */
    public boolean healthy() {
        Instant last = lastPoll;
        return running && started && last != null
                && last.isAfter(Instant.now().minus(pollTimeout.multipliedBy(20).plusSeconds(30)));
    }

    /** Whether the loop thread is still going (liveness). */
    public boolean running() {
        return running;
    }

    public void stop() {
        running = false;
        worker.shutdownNow();
    }

    @Override
    public void run() {
        int sessionFailures = 0;
        try {
            while (running) {
                sessionPolled = false;
                try {
                    session();
                    return; // stopped
                } catch (org.apache.kafka.common.errors.InterruptException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    // Kafka unreachable or refusing (initTransactions, reading results back, a commit, a failed
                    // abort): nothing was committed past what was published, so a new session resumes exactly.
                    // A session that did poll was healthy: the backoff starts again from its first step.
                    sessionFailures = sessionPolled ? 1 : sessionFailures + 1;
                    Throwable cause = e instanceof SessionFailure ? e.getCause() : e;
                    Duration wait = retry.delay(sessionFailures);
                    Log.errorf(cause, "eval: Kafka session failed, reconnecting in %s: %s", wait, cause.getMessage());
                    metrics.counter("mmed.eval.failures", "reason", "session_" + cause.getClass().getSimpleName())
                            .increment();
                    sleep(wait);
                }
            }
        } finally {
            running = false;
        }
    }

    private void sleep(Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        try {
            while (running && System.nanoTime() < until) {
                Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** One Kafka session: clients, the subscription and the loop, until stopped or a Kafka failure. */
    private void session() {
        try (KafkaConsumer<String, byte[]> consumer = consumer();
             KafkaProducer<String, byte[]> producer = producer();
             ResultsView view = new ResultsView(kafka)) {
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.CHECKPOINTS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    Log.infof("eval: partitions revoked %s", partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Log.infof("eval: partitions assigned %s", partitions);
                }
            });
            started = true;
            Log.infof("eval: consuming %s as group %s (transactional id %s)", Topics.CHECKPOINTS, groupId,
                    transactionalId);
            while (running) {
                ConsumerRecords<String, byte[]> records = poll(consumer);
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (!running) {
                        break;
                    }
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (!consumer.assignment().contains(tp)) {
                        continue; // revoked while an earlier record was evaluated: its new owner reads it
                    }
                    if (!handle(r, consumer, producer, view)) {
                        break; // sought back for a retry: drop the rest of this batch
                    }
                }
            }
        }
    }

    private ConsumerRecords<String, byte[]> poll(KafkaConsumer<String, byte[]> consumer) {
        ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout);
        lastPoll = Instant.now();
        sessionPolled = true;
        return records;
    }

    /** Handles one CheckpointReady; false when the record is to be read again (transient failure). */
    private boolean handle(ConsumerRecord<String, byte[]> r, KafkaConsumer<String, byte[]> consumer,
                           KafkaProducer<String, byte[]> producer, ResultsView view) {
        metrics.counter("mmed.records.in", "service", "eval").increment();
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        CheckpointReady checkpoint;
        try {
            checkpoint = decoder.decode(r.value());
        } catch (RuntimeException e) {
            reject(consumer, tp, r, "undecodable", where + ": " + e.getMessage());
            return true;
        }
        view.catchUp();
        if (view.evaluated(checkpoint.getCheckpointId(), benchmarkName)) {
            Log.infof("eval: %s %s already evaluated on %s, skipped", where, checkpoint.getCheckpointId(),
                    benchmarkName);
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
            failedAttempts.remove(checkpoint.getCheckpointId());
            return true;
        }
        Log.infof("eval: %s checkpoint %s (%s) received", where, checkpoint.getCheckpointId(), checkpoint.getUri());
        Timer.Sample sample = Timer.start(metrics);
        Outcome outcome;
        try {
            outcome = evaluateWhilePolling(consumer, checkpoint, view);
        } catch (IllegalArgumentException e) {
            reject(consumer, tp, r, "bad_checkpoint", where + " " + checkpoint.getCheckpointId() + ": "
                    + e.getMessage());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        } catch (SessionFailure e) {
            throw e;
        } catch (RuntimeException e) {
            if (!running) {
                return false; // stopping: the evaluation was cancelled, not the checkpoint's fault
            }
            return failed(consumer, tp, r, where, checkpoint.getCheckpointId(), e);
        }
        if (!consumer.assignment().contains(tp)) {
            Log.warnf("eval: %s was revoked during the evaluation of %s; its new owner evaluates it",
                    where, checkpoint.getCheckpointId());
            failedAttempts.remove(checkpoint.getCheckpointId());
            return true;
        }
        Optional<KafkaException> notPublished = publish(producer, consumer, tp, r.offset(), outcome, where);
        if (notPublished.isPresent()) {
            // Nothing was published and the record is to be read again: without a backoff (and a limit, for an
            // error the broker will always give, e.g. a record too large) it would be re-evaluated at once, forever.
            return failed(consumer, tp, r, where, checkpoint.getCheckpointId(), notPublished.get());
        }
        sample.stop(metrics.timer("mmed.processing.latency", "service", "eval"));
        failuresInARow = 0;
        failedAttempts.remove(checkpoint.getCheckpointId());
        return true;
    }

    /**
     * A failed evaluation: retried after a backoff (false: the record is to be read again), or given up on once the
     * checkpoint's own failures reach the limit (true: its offset is committed).
     */
    private boolean failed(KafkaConsumer<String, byte[]> consumer, TopicPartition tp, ConsumerRecord<String, byte[]> r,
                           String where, String checkpoint, RuntimeException e) {
        boolean backendDown = backendDown(e);
        metrics.counter("mmed.eval.failures", "reason", e.getClass().getSimpleName()).increment();
        failuresInARow++;
        if (!backendDown && !failedAttempts.containsKey(checkpoint) && failedAttempts.size() >= MAX_TRACKED_FAILURES) {
            failedAttempts.clear(); // checkpoints that failed long ago and never came back: forget them
        }
        int attempts = backendDown ? failedAttempts.getOrDefault(checkpoint, 0)
                : failedAttempts.merge(checkpoint, 1, Integer::sum);
        if (attempts >= retry.maxAttempts()) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            String recorded;
            try {
                recorded = "recorded in " + evaluator.recordFailure(checkpoint, attempts, reason);
            } catch (RuntimeException io) {
                recorded = "and could not record it: " + io.getMessage();
            }
            Log.errorf(e, "eval: %s gave up on %s after %d failed attempts; it is not evaluated and cannot be"
                    + " promoted (send its CheckpointReady again to retry); %s", where, checkpoint, attempts,
                    recorded);
            reject(consumer, tp, r, "evaluation_failed", where + " " + checkpoint + ": " + reason);
            failuresInARow = 0;
            failedAttempts.remove(checkpoint);
            return true;
        }
        Duration wait = retry.delay(failuresInARow);
        Log.errorf(e, "eval: %s %s failed (%s), retried in %s: %s", where, checkpoint,
                backendDown ? "backend unavailable or busy: not counted against the checkpoint"
                        : "attempt " + attempts + " of " + retry.maxAttempts(), wait, e.getMessage());
        if (consumer.assignment().contains(tp)) {
            consumer.seek(tp, r.offset());
        }
        backoff(consumer, wait);
        return false;
    }

    /**
     * Whether the failure is the backend's, Kafka's or the storage's state rather than the checkpoint's. A file that
     * cannot be parsed (a corrupt model.json) is not a storage failure: it would never heal by waiting.
     */
    static boolean backendDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TritonException te && BACKEND_DOWN.contains(te.code())) {
                return true;
            }
            if (t instanceof com.fasterxml.jackson.core.JacksonException) {
                return false;
            }
            if (t instanceof java.io.IOException || t instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
        }
        return false;
    }

    private Outcome evaluateWhilePolling(KafkaConsumer<String, byte[]> consumer, CheckpointReady checkpoint,
                                         ResultsView view) throws InterruptedException {
        Optional<ServingModel> serving = view.serving(modelName); // the view belongs to this thread
        Future<Outcome> work = worker.submit(() -> evaluator.evaluate(checkpoint, serving));
        try {
            while (true) {
                consumer.pause(consumer.assignment());
                ConsumerRecords<String, byte[]> extra = poll(consumer);
                Map<TopicPartition, Long> first = new HashMap<>();
                extra.forEach(x -> first.merge(new TopicPartition(x.topic(), x.partition()), x.offset(), Math::min));
                first.forEach(consumer::seek); // newly assigned partitions were not paused yet: read them later
                if (work.isDone()) {
                    return work.get();
                }
                if (!running) {
                    work.cancel(true);
                    throw new InterruptedException("stopping");
                }
            }
        } catch (RuntimeException e) {
            work.cancel(true); // the session ends: the record is read again by the next one
            throw new SessionFailure(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            consumer.resume(consumer.assignment());
        }
    }

    /** Publishes the outcome with the offset in one transaction; the failure when it aborted instead. */
    private Optional<KafkaException> publish(KafkaProducer<String, byte[]> producer,
                                             KafkaConsumer<String, byte[]> consumer, TopicPartition tp, long offset,
                                             Outcome outcome, String where) {
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.EVAL_RESULTS, outcome.completed().getCheckpointId(),
                    AvroSerializer.encode(outcome.completed())));
            outcome.promoted().ifPresent(p -> producer.send(new ProducerRecord<>(Topics.MODELS_PROMOTED,
                    p.getModelName(), AvroSerializer.encode(p))));
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(offset + 1)),
                    consumer.groupMetadata());
            producer.commitTransaction();
        } catch (KafkaException e) {
            // Fenced (the partition moved) or the broker failed the transaction: nothing was published, the
            // checkpoint is read again (here or by the new owner) and re-evaluated.
            Log.errorf(e, "eval: publishing the result of %s failed, aborted: %s", where, e.getMessage());
            try {
                producer.abortTransaction();
            } catch (KafkaException abort) {
                throw new IllegalStateException("cannot abort the transaction of " + where, abort);
            }
            if (consumer.assignment().contains(tp)) {
                consumer.seek(tp, offset);
            }
            return Optional.of(e);
        }
        metrics.counter("mmed.records.out", "service", "eval", "topic", Topics.EVAL_RESULTS).increment();
        outcome.promoted().ifPresent(p -> {
            metrics.counter("mmed.records.out", "service", "eval", "topic", Topics.MODELS_PROMOTED).increment();
            Log.infof("eval: %s promoted %s as %s version %s: %s", where, p.getCheckpointId(), p.getModelName(),
                    p.getModelVersion(), p.getReason());
        });
        Log.infof("eval: %s published EvalCompleted of %s (mean accuracy %.2f, report %s)", where,
                outcome.completed().getCheckpointId(), outcome.completed().getMeanAccuracy(),
                outcome.completed().getReportUri());
        return Optional.empty();
    }

    private void reject(KafkaConsumer<String, byte[]> consumer, TopicPartition tp, ConsumerRecord<String, byte[]> r,
                        String reason, String message) {
        Log.errorf("eval: rejected (%s) %s", reason, message);
        metrics.counter("mmed.records.rejected", "reason", reason).increment();
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
    }

    private void backoff(KafkaConsumer<String, byte[]> consumer, Duration wait) {
        Instant until = Instant.now().plus(wait);
        consumer.pause(consumer.assignment());
        try {
            while (running && Instant.now().isBefore(until)) {
                ConsumerRecords<String, byte[]> extra = poll(consumer);
                Map<TopicPartition, Long> first = new HashMap<>();
                extra.forEach(x -> first.merge(new TopicPartition(x.topic(), x.partition()), x.offset(), Math::min));
                first.forEach(consumer::seek);
                consumer.pause(consumer.assignment());
            }
        } finally {
            consumer.resume(consumer.assignment());
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1); // one evaluation at a time; nothing waits in memory
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.putAll(kafka);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG); // a consumer setting Quarkus adds to the common ones
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
