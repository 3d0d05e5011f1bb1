package io.mmedstream.inference.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.mmedstream.inference.domain.EvaluationResult;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.quarkus.logging.Log;

/**
 * Follows {@code mmed.models.promoted.v1} (Avro {@code ModelPromoted}, compacted, keyed by model name) and makes the
 * {@link ModelRouter} serve the latest promoted version.
 *
 * <p>Every replica must see every promotion, so there is no consumer group: the consumer is assigned every partition
 * of the topic and reads it from the beginning ({@code read_committed}: eval publishes in transactions), commits
 * nothing, and needs no ACL on a group. At start-up it first reads up to the end offsets and promotes only the
 * newest record ({@code occurred_at}, then offset) among those it follows, so a restarted replica goes straight to
 * the serving version instead of replaying the history. After that each new record is promoted as it comes.
 *
 * <p>A promotion loads the version in the backend, waits until it is ready, moves new requests to it, lets the
 * running ones finish and unloads the old version ({@link ModelRouter#promote}); a record of the version already
 * serving changes nothing (replays are no-ops). The follower reconciles toward the newest record rather than
 * processing a queue: a failed promotion is retried with a doubling backoff (capped) for as long as that record is
 * the newest, and a newer record replaces it. A record that cannot be read is logged with its position, counted, and
 * skipped; it is not dead-lettered, because every replica reads the topic and would write the same dead letter, and
 * the producer (eval) owns what is on this topic.
 *
 * <p>Kafka unreachable: the service keeps serving what it serves, the follower retries with the same backoff, and
 * {@link #status()} says so (readiness shows it; readiness is UP only while a model serves).
 */
public final class PromotionFollower implements AutoCloseable {

    /** Where the follower stands. */
    public enum State {
        /** Not connected yet. */
        STARTING,
        /** Reading the topic up to its end. */
        CATCHING_UP,
        /** Caught up; promotions are applied as they come. */
        FOLLOWING,
        /** The broker could not be reached (or the topic does not exist); retrying. */
        UNREACHABLE,
        /** Closed. */
        STOPPED
    }

    /**
     * The follower's state, its last problem, the newest promotion it has seen, and how many records it has read
     * since it started (every record, followed or not).
     */
    public record Status(State state, String problem, Optional<ServingModel> latest, long recordsRead) {

        Status with(State newState, String newProblem) {
            return new Status(newState, newProblem, latest, recordsRead);
        }
    }

    private static final Duration POLL = Duration.ofMillis(500);

    private final Properties consumerConfig;
    private final ModelRouter router;
    private final Optional<String> modelFilter;
    private final Duration retryBackoff;
    private final Duration retryMaxBackoff;
    private final InferenceMetrics metrics;
    private final Clock clock;
    private final AvroDeserializer<ModelPromoted> decoder = new AvroDeserializer<>(ModelPromoted.class);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closing;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Status status = new Status(State.STARTING, "", Optional.empty(), 0);

    // Owned by the follower's thread.
    private Candidate desired;
    private int failedAttempts;
    private Instant nextAttempt = Instant.MIN;

    /** The newest record followed, with its position (to order records and to log). */
    private record Candidate(ServingModel model, Instant occurredAt, String position) {
    }

    /**
     * @param kafka           Kafka client settings ({@code bootstrap.servers} and any security settings); the
     *                        follower sets its own deserializers, isolation level and auto-commit
     * @param modelFilter     follow only this model name; empty: every promotion
     * @param retryBackoff    first wait after a failure; doubles up to {@code retryMaxBackoff}
     */
    public PromotionFollower(Map<String, Object> kafka, ModelRouter router, Optional<String> modelFilter,
                             Duration retryBackoff, Duration retryMaxBackoff, InferenceMetrics metrics, Clock clock) {
        this.consumerConfig = new Properties();
        consumerConfig.putAll(kafka);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, not subscribed: see the class comment
        consumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "inference-promotions");
        consumerConfig.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        consumerConfig.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.router = router;
        this.modelFilter = modelFilter;
        this.retryBackoff = retryBackoff;
        this.retryMaxBackoff = retryMaxBackoff;
        this.metrics = metrics;
        this.clock = clock;
        this.thread = new Thread(this::run, "inference-promotions");
        thread.setDaemon(true);
    }

    /** Starts following, on the follower's own thread. */
    public void start() {
        thread.start();
    }

    public Status status() {
        return status;
    }

    private void run() {
        Duration backoff = retryBackoff;
        try {
            while (!closing) {
                try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                        new ByteArrayDeserializer())) {
                    consumer = c;
                    if (closing) {
                        return;
                    }
                    follow(c);
                } catch (WakeupException e) {
                    if (closing) {
                        return;
                    }
                } catch (KafkaException | IllegalStateException e) {
                    if (closing) {
                        return;
                    }
                    status = status.with(State.UNREACHABLE, String.valueOf(e.getMessage()));
                    Log.warnf("promotions: cannot read %s: %s; still serving %s; retrying in %s",
                            Topics.MODELS_PROMOTED, e.getMessage(), servingText(), backoff);
                    if (stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    backoff = min(backoff.multipliedBy(2), retryMaxBackoff);
                    continue;
                } finally {
                    consumer = null;
                }
                backoff = retryBackoff;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            status = status.with(State.STOPPED, "");
        }
    }

    /** Assigns every partition, catches up, then applies records as they come; returns only by an exception. */
    private void follow(KafkaConsumer<String, byte[]> c) throws InterruptedException {
        List<PartitionInfo> infos = c.partitionsFor(Topics.MODELS_PROMOTED);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.MODELS_PROMOTED + " does not exist");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        c.assign(partitions);
        c.seekToBeginning(partitions);
        status = status.with(State.CATCHING_UP, "");
        Map<TopicPartition, Long> end = c.endOffsets(partitions);
        while (!caughtUp(c, end)) {
            for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                consider(r);
            }
        }
        status = status.with(State.FOLLOWING, "");
        Log.infof("promotions: caught up with %s (%d partitions, ends %s); newest promotion %s", Topics.MODELS_PROMOTED,
                partitions.size(), end.values(), desired == null ? "none" : desired.model() + " at "
                        + desired.position());
        while (!closing) {
            reconcile();
            Duration wait = POLL;
            if (needsPromotion()) {
                Duration untilRetry = Duration.between(clock.instant(), nextAttempt);
                wait = untilRetry.isNegative() ? Duration.ZERO : min(untilRetry, POLL);
            }
            for (ConsumerRecord<String, byte[]> r : c.poll(wait)) {
                consider(r);
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Reads one record and makes it the promotion to reach when it is newer than the current one. */
    private void consider(ConsumerRecord<String, byte[]> r) {
        try {
            read(r);
        } finally {
            Status s = status;
            status = new Status(s.state(), s.problem(), s.latest(), s.recordsRead() + 1);
        }
    }

    private void read(ConsumerRecord<String, byte[]> r) {
        String position = r.topic() + "-" + r.partition() + "@" + r.offset();
        if (r.value() == null) {
            Log.debugf("promotions: %s is a tombstone for key %s; nothing to serve from it", position, r.key());
            return;
        }
        ModelPromoted promoted;
        try {
            promoted = decoder.decode(r.value());
        } catch (RuntimeException e) {
            metrics.promotion("unreadable");
            Log.errorf("promotions: %s (key %s) is not a readable ModelPromoted (%s); skipped", position, r.key(),
                    e.getMessage());
            return;
        }
        if (modelFilter.isPresent() && !modelFilter.get().equals(promoted.getModelName())) {
            Log.debugf("promotions: %s promotes model %s, not followed", position, promoted.getModelName());
            return;
        }
        Candidate candidate = new Candidate(toServingModel(promoted), promoted.getOccurredAt(), position);
        // Within a partition the later record wins; across partitions (other model names) the later decision.
        if (desired == null || !candidate.occurredAt().isBefore(desired.occurredAt())
                || samePartition(candidate, desired)) {
            Log.infof("promotions: %s promotes %s (checkpoint %s)", position, candidate.model(),
                    candidate.model().checkpointId());
            if (desired == null || !desired.model().sameVersionAs(candidate.model())) {
                failedAttempts = 0;
                nextAttempt = Instant.MIN;
            }
            desired = candidate;
            Status s = status;
            status = new Status(s.state(), s.problem(), Optional.of(candidate.model()), s.recordsRead());
        }
    }

    private static boolean samePartition(Candidate a, Candidate b) {
        return a.position().substring(0, a.position().indexOf('@'))
                .equals(b.position().substring(0, b.position().indexOf('@')));
    }

    private boolean needsPromotion() {
        return desired != null && router.serving().map(s -> !s.model().sameVersionAs(desired.model())
                || !s.model().equals(desired.model())).orElse(true);
    }

    /** Promotes the newest record if it does not serve yet and its next try is due. */
    private void reconcile() {
        if (!needsPromotion() || clock.instant().isBefore(nextAttempt)) {
            return;
        }
        Candidate target = desired;
        boolean sameVersion = router.serving().map(s -> s.model().sameVersionAs(target.model())).orElse(false);
        try {
            router.promote(target.model()); // same version: only what is known about it is updated
            metrics.promotion(sameVersion ? "already-serving" : "promoted");
            failedAttempts = 0;
            Log.infof("promotions: serving %s (from %s%s)", target.model(), target.position(),
                    sameVersion ? "; it already served" : "");
        } catch (RuntimeException e) {
            failedAttempts++;
            metrics.promotion("failed");
            Duration wait = min(retryBackoff.multipliedBy(1L << Math.min(failedAttempts - 1, 20)), retryMaxBackoff);
            nextAttempt = clock.instant().plus(wait);
            Log.warnf("promotions: promotion of %s from %s failed (try %d): %s; still serving %s; next try in %s",
                    target.model(), target.position(), failedAttempts, e.getMessage(), servingText(), wait);
        }
    }

    private String servingText() {
        return router.serving().map(s -> s.model().toString()).orElse("nothing");
    }

    /** The serving model a promotion describes, with its evaluation summary. */
    static ServingModel toServingModel(ModelPromoted p) {
        List<EvaluationResult.LanguageScore> languages = new ArrayList<>();
        // The record carries accuracies only; question counts are in the checkpoint's EvalCompleted.
        p.getAccuracyPerLanguage().forEach((language, accuracy) -> languages.add(
                new EvaluationResult.LanguageScore(language.toString(), 0, 0, accuracy, 0)));
        languages.sort(java.util.Comparator.comparing(EvaluationResult.LanguageScore::language));
        EvaluationResult evaluation = new EvaluationResult(p.getMeanAccuracy(), languages, p.getOccurredAt());
        return new ServingModel(p.getModelName(), p.getModelVersion(), p.getCheckpointId(), Optional.of(evaluation));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        closing = true;
        stopped.countDown();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
