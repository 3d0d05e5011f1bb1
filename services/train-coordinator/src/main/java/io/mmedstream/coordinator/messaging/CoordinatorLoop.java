package io.mmedstream.coordinator.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.mmedstream.coordinator.dispatch.Dispatcher;
import io.mmedstream.coordinator.dispatch.Execution;
import io.mmedstream.coordinator.dispatch.ExecutionListener;
import io.mmedstream.coordinator.domain.DispatchWait;
import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundStatus;
import io.mmedstream.coordinator.service.AttemptOutcome;
import io.mmedstream.coordinator.service.RoundBook;
import io.mmedstream.coordinator.service.TrainerEvent;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.TrainingRoundChanged;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;
import io.quarkus.logging.Log;

/**
 * The coordinator: one thread that owns the {@link RoundBook}, the Kafka consumer of shard announcements and the
 * transactional producer of round and checkpoint records. Dispatchers, the admin API and timers talk to it through
 * a queue, so the book is only ever touched here.
 *
 * <p><b>Exactly once.</b> Every change of a round is one Kafka transaction that writes the round's full state to the
 * compacted rounds topic (keyed by round id) and commits the consumer offsets of the shards topic; a SUCCEEDED
 * round's transaction also carries its {@code CheckpointReady}. The offsets committed never pass a pooled shard that
 * is only known from its announcement: so a shard is either in a committed PLANNED round, or is read again after a
 * restart and pooled again; never both, never neither. Readers use {@code read_committed}.
 *
 * <p><b>One active coordinator.</b> Instances elect a leader through a Kafka group ({@link LeaderElection}: the
 * holder of the one partition of the election topic). Only the leader opens a session; the others stand by
 * ({@link State#STANDBY}) without touching rounds, executions or the transactional producer. A leader that loses the
 * partition, or whose producer is fenced, steps down before its next transaction and stands by again: it never
 * initialises the producer while another instance holds the partition, so it cannot fence the active one back.
 *
 * <p><b>Restart.</b> A session first fences any earlier incarnation (same transactional id) and aborts its open
 * transaction, then reads the whole rounds topic (the latest record per round wins), seeks the shards consumer to
 * the committed offsets, and asks the dispatcher to follow every DISPATCHED or RUNNING round. A round is recorded as
 * DISPATCHED, with the attempt's execution name, before the attempt is started; dispatchers adopt an execution that
 * exists already, so an attempt is never started twice.
 *
 * <p><b>Dispatcher outages.</b> A start that fails because the dispatcher is unavailable ({@code DISPATCH_UNAVAILABLE}:
 * the Kubernetes API did not answer, or answered 429 or 5xx) is not a failed attempt: the round stays DISPATCHED with
 * the same attempt, nothing is written, and the same attempt is started again after a backoff that doubles up to
 * {@code maxDispatchRetryBackoff}, until it starts or the round is cancelled. Starting the same attempt again is the
 * adoption above: an execution that a failed start did make (a create applied although its answer was lost) is
 * adopted, not made twice. The {@code attemptTimeout} of such an attempt counts from when it did start: every start
 * of a round that has not run yet (still DISPATCHED) other than the first, whether a retry after an outage or a new
 * session's, moves the round's {@code dispatchedAt} to that moment ({@link RoundBook#startingLate}); the round's next
 * record (RUNNING) persists it, so the time survives any later restart.
 *
 * <p>Any Kafka failure ends the session (nothing uncommitted survives it) and a new one rebuilds everything after a
 * backoff; executions keep running meanwhile and are adopted again. A fenced producer or a lost partition means
 * another coordinator took over: this one steps down (its executions are left to the new leader, which adopts them).
 */
public final class CoordinatorLoop implements Runnable {

    /** Where the loop is. */
    public enum State {
        /** Not started yet, or joining the election group. */
        STARTING,
        /** Another coordinator is the active one; this one waits to be elected. */
        STANDBY,
        /** Reading the rounds topic. */
        REBUILDING,
        /** Polling and coordinating. */
        RUNNING,
        /** Waiting to reconnect after a failure. */
        RECONNECTING,
        /** Stopped on request. */
        STOPPED,
        /** Died of an unexpected error. */
        FAILED
    }

    /** The loop's state for health checks. */
    public record Status(State state, Instant lastPollAt, String lastError) {
    }

    /**
     * What the admin API shows: an immutable view, refreshed after every loop iteration.
     *
     * @param rounds every round, by id
     * @param pool the pooled shards
     * @param aside the shards kept aside, with reasons
     * @param decision the policy's last explanation
     * @param dispatchWaits the rounds whose attempt waits for an unavailable dispatcher, by round id
     */
    public record Snapshot(List<Round> rounds, List<PooledShard> pool, List<AsideShard> aside, String decision,
            Status status, Map<String, DispatchWait> dispatchWaits) {
    }

    /**
     * The loop's settings.
     *
     * @param kafka common Kafka client settings (bootstrap servers, security); the loop sets its own on top
     * @param leaderTopic the election topic (one partition); the election group is {@code groupId + "-leader"}
     * @param retryBackoff pause before a new session after a failed one, doubled up to {@code maxRetryBackoff}
     * @param dispatchRetryBackoff pause before starting an attempt again after the dispatcher was unavailable,
     *        doubled up to {@code maxDispatchRetryBackoff}
     */
    public record Settings(Map<String, Object> kafka, String shardsTopic, String roundsTopic, String checkpointsTopic,
            String leaderTopic, String groupId, String transactionalId, Duration pollTimeout, Duration retryBackoff,
            Duration maxRetryBackoff, Duration stallTimeout, Duration attemptTimeout, Duration progressInterval,
            Duration dispatchRetryBackoff, Duration maxDispatchRetryBackoff) {
    }

    private sealed interface Command {
    }

    private record Progress(String roundId, int attempt, TrainerEvent event, Instant at) implements Command {
    }

    private record Ended(String roundId, int attempt, AttemptOutcome outcome) implements Command {
    }

    private record Started(String roundId, int attempt, Execution execution) implements Command {
    }

    /** An attempt could not be started because the dispatcher is unavailable; {@code detail} is the metric's tag. */
    private record Unavailable(String roundId, int attempt, boolean resume, String detail, String message)
            implements Command {
    }

    /**
     * A start of an attempt put off after the dispatcher was unavailable.
     *
     * @param tries the failed starts of this attempt in a row
     * @param at when to start it again; null while that start is under way
     * @param since when the first of them failed
     * @param detail the last failure's short code
     * @param message the last failure's message
     */
    private record PutOff(int attempt, boolean resume, int tries, Instant at, Instant since, String detail,
            String message) {

        DispatchWait view() {
            return new DispatchWait(attempt, tries, detail, message, since, at);
        }
    }

    private record TriggerNow(CompletableFuture<Round> result) implements Command {
    }

    private record Cancel(String roundId, CompletableFuture<Round> result) implements Command {
    }

    private final Settings settings;
    private final Supplier<RoundBook> books;
    private final Dispatcher dispatcher;
    private final CoordinatorMetrics metrics;
    private final Clock clock;
    private final RoundBook.Retry dispatchRetry;
    private final AvroDeserializer<ShardReady> shardDecoder = new AvroDeserializer<>(ShardReady.class);
    private final AvroDeserializer<TrainingRoundChanged> roundDecoder =
            new AvroDeserializer<>(TrainingRoundChanged.class);
    private final LinkedBlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final ExecutionListener listener = new Listener();
    /** Starting an attempt can take a while (finding Python, calling Kubernetes): never on the loop's thread. */
    private final ExecutorService starter = Executors.newSingleThreadExecutor(r -> daemon(r, "round-starter"));
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(r -> daemon(r, "round-cleaner"));
    /** Executions of the current attempts, by round; outlives sessions. */
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    private volatile boolean stopping;
    private volatile State state = State.STARTING;
    private volatile Instant lastPollAt;
    private volatile String lastError;
    private volatile Snapshot snapshot = new Snapshot(List.of(), List.of(), List.of(), "starting",
            new Status(State.STARTING, null, null), Map.of());

    // Session state, touched by the loop thread only.
    private RoundBook book;
    private final Set<String> pendingRounds = new LinkedHashSet<>();
    private final List<CheckpointReady> pendingCheckpoints = new ArrayList<>();
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<CompletableFuture<Round>> openRequests = new ArrayList<>();
    private final Map<String, Instant> lastProgressAt = new HashMap<>();
    private final Map<String, Instant> lastPersistedAt = new HashMap<>();
    private final Set<String> unpersistedProgress = new HashSet<>();
    /** Starts put off while the dispatcher is unavailable, by round. */
    private final Map<String, PutOff> putOffStarts = new HashMap<>();
    private String lastDecisionLogged;
    private boolean sessionPolled;

    public CoordinatorLoop(Settings settings, Supplier<RoundBook> books, Dispatcher dispatcher,
            CoordinatorMetrics metrics, Clock clock) {
        this.settings = settings;
        this.books = books;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.clock = clock;
        this.dispatchRetry = new RoundBook.Retry(settings.dispatchRetryBackoff(), settings.maxDispatchRetryBackoff());
    }

    // ---- API for other threads --------------------------------------------------------------------------------------

    /** The latest view of rounds and pool. */
    public Snapshot snapshot() {
        return snapshot;
    }

    public Status status() {
        return new Status(state, lastPollAt, lastError);
    }

    /** Plans a round now from whatever the pool holds; completes once the PLANNED round is committed. */
    public CompletableFuture<Round> triggerNow() {
        CompletableFuture<Round> result = new CompletableFuture<>();
        submit(new TriggerNow(result), result);
        return result;
    }

    /** Cancels a round; completes once the CANCELLED state is committed (the execution is stopped after). */
    public CompletableFuture<Round> cancel(String roundId) {
        CompletableFuture<Round> result = new CompletableFuture<>();
        submit(new Cancel(roundId, result), result);
        return result;
    }

    private void submit(Command command, CompletableFuture<Round> result) {
        if (state != State.RUNNING) {
            result.completeExceptionally(new CoordinatorException(CoordinatorException.Reason.NOT_READY,
                    "the coordinator is " + state.name().toLowerCase()));
            return;
        }
        inbox.add(command);
    }

    /** Asks the loop to stop; returns at once. */
    public void stop() {
        stopping = true;
        stopRequested.countDown();
    }

    // ---- the loop ---------------------------------------------------------------------------------------------------

    @Override
    public void run() {
        Duration backoff = settings.retryBackoff();
        LeaderElection election = null;
        try {
            while (!stopping) {
                sessionPolled = false;
                try {
                    if (election == null) {
                        election = new LeaderElection(settings.kafka(), settings.leaderTopic(), leaderGroupId(),
                                settings.transactionalId() + "-leader");
                    }
                    if (awaitLeadership(election)) {
                        session(election);
                    }
                } catch (LeadershipLost e) {
                    // The group has moved the partition: this instance stays a member and is elected again only
                    // once the active one has left the group.
                    stepDown(e.getMessage());
                    continue;
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    if (fencing(e)) {
                        // The group may not have told this instance yet: rejoin as a new member, which the sticky
                        // assignment gives nothing while the active coordinator is in the group.
                        stepDown("fenced by another coordinator with transactional id " + settings.transactionalId()
                                + " (" + e.getMessage() + ")");
                        election = closeQuietly(election);
                        continue;
                    }
                    if (election != null && election.broken()) {
                        election = closeQuietly(election);
                    }
                    state = State.RECONNECTING;
                    lastError = e.toString();
                    failRequests(e);
                    Log.warnf(e, "coordinator session failed: %s; rebuilding from %s after %s", e,
                            settings.roundsTopic(), backoff);
                    publish();
                }
                if (stopping) {
                    break;
                }
                awaitStop(backoff);
                backoff = sessionPolled ? settings.retryBackoff() : min(backoff.multipliedBy(2),
                        settings.maxRetryBackoff());
            }
            state = State.STOPPED;
            Log.infof("coordinator stopped");
        } catch (Throwable e) {
            state = State.FAILED;
            lastError = e.toString();
            Log.errorf(e, "coordinator died: %s; no rounds are planned or followed until it restarts", e);
            throw e;
        } finally {
            // Leaving the group lets a standby take over at once.
            closeQuietly(election);
            failRequests(new CoordinatorException(CoordinatorException.Reason.NOT_READY, "the coordinator stopped"));
            publish();
            starter.shutdown();
            cleaner.shutdown();
        }
    }

    private static LeaderElection closeQuietly(LeaderElection election) {
        if (election != null) {
            try {
                election.close();
            } catch (RuntimeException e) {
                Log.debugf("closing the election consumer: %s", e);
            }
        }
        return null;
    }

    /** Whether a failure says that another coordinator's producer took the transactional id over. */
    private static boolean fencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Another coordinator is (or is about to be) the active one: forget everything uncommitted, answer open requests,
     * and stand by. Executions keep running: the active coordinator adopts them (a Job by its name; a local trainer
     * through its pid file, when the instances share the work folder).
     */
    private void stepDown(String reason) {
        state = State.STANDBY;
        lastError = reason;
        Log.warnf("coordinator stepped down: %s; nothing uncommitted is written, the active coordinator follows the "
                + "rounds, this one stands by in group %s", reason, leaderGroupId());
        failRequests(new CoordinatorException(CoordinatorException.Reason.NOT_READY,
                "this coordinator stepped down: " + reason));
        publish();
    }

    /**
     * Takes part in the election until this instance leads (true) or the loop is asked to stop (false). A standby
     * does nothing else: no rounds are read, no producer is created.
     */
    private boolean awaitLeadership(LeaderElection election) {
        boolean announced = false;
        while (!stopping) {
            if (election.poll(settings.pollTimeout())) {
                Log.infof("coordinator elected: it holds %s-0 in group %s (generation %d) and takes over the rounds",
                        settings.leaderTopic(), leaderGroupId(), election.generation());
                return true;
            }
            if (election.joined() && !announced) {
                announced = true;
                state = State.STANDBY;
                Log.infof("coordinator on standby: another instance of group %s holds %s-0 and is the active "
                        + "coordinator", leaderGroupId(), settings.leaderTopic());
                publish();
            }
            // What executions of an earlier session report is heard again by whichever coordinator follows them.
            inbox.removeIf(c -> c instanceof Progress);
        }
        return false;
    }

    private String leaderGroupId() {
        return settings.groupId() + "-leader";
    }

    /** Thrown inside a session when this instance no longer holds the election partition. */
    private static final class LeadershipLost extends RuntimeException {

        LeadershipLost(String message) {
            super(message, null, false, false);
        }
    }

    /** Ends the session, before anything more is written, when the group gave the partition to another instance. */
    private void checkLeadership(LeaderElection election) {
        if (!election.poll(Duration.ZERO)) {
            throw new LeadershipLost("the group " + leaderGroupId() + " gave " + settings.leaderTopic()
                    + "-0 to another instance");
        }
    }

    private void session(LeaderElection election) {
        pendingRounds.clear();
        pendingCheckpoints.clear();
        afterCommit.clear();
        lastPersistedAt.clear();
        unpersistedProgress.clear();
        putOffStarts.clear(); // the new session starts every DISPATCHED or RUNNING round again (resumeRounds)
        // progress of the lost session, and its put-off starts: the new one hears and starts them again
        inbox.removeIf(c -> c instanceof Progress || c instanceof Unavailable);
        book = books.get();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                new ByteArraySerializer());
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(true),
                        new StringDeserializer(), new ByteArrayDeserializer())) {
            state = State.REBUILDING;
            // Fences an earlier incarnation and aborts its open transaction, so the rounds topic read next is final.
            // Only the elected instance gets here: a stepped-down one cannot fence the active one back.
            producer.initTransactions();
            rebuild();
            checkLeadership(election);
            List<TopicPartition> partitions = partitions(consumer, settings.shardsTopic());
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata at = committed.get(tp);
                if (at != null) {
                    consumer.seek(tp, at.offset());
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            Log.infof("coordinator: %d rounds restored from %s; reading %s from %s as group %s (transactional id %s),"
                    + " dispatching with %s", book.rounds().size(), settings.roundsTopic(), settings.shardsTopic(),
                    describe(committed, partitions), settings.groupId(), settings.transactionalId(),
                    dispatcher.name());
            resumeRounds();
            state = State.RUNNING;
            while (!stopping) {
                ConsumerRecords<String, byte[]> records = consumer.poll(settings.pollTimeout());
                sessionPolled = true;
                lastPollAt = clock.instant();
                for (ConsumerRecord<String, byte[]> record : records) {
                    shard(record);
                }
                Instant now = clock.instant();
                drainInbox(now);
                watchTimes(now);
                plan(now, null);
                dispatch(now);
                retryPutOffStarts(now);
                flushProgress(now);
                checkLeadership(election);
                commit(producer, consumer, now);
                publish();
            }
        } finally {
            book = null;
        }
    }

    private void rebuild() {
        try (KafkaConsumer<String, byte[]> rounds = new KafkaConsumer<>(consumerConfig(false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(rounds, settings.roundsTopic());
            rounds.assign(partitions);
            rounds.seekToBeginning(partitions);
            // Under read_committed the end offsets are the last stable offsets: everything committed before us.
            Map<TopicPartition, Long> end = rounds.endOffsets(partitions);
            int read = 0;
            while (partitions.stream().anyMatch(tp -> rounds.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : rounds.poll(settings.pollTimeout())) {
                    if (record.value() == null) {
                        continue; // a tombstone: the coordinator writes none, an operator may have
                    }
                    try {
                        book.restore(RoundRecords.fromRecord(roundDecoder.decode(record.value())));
                        read++;
                    } catch (SerializationException | IllegalArgumentException e) {
                        Log.errorf("unreadable round record %s-%d@%d (key %s): %s; that round is ignored",
                                record.topic(), record.partition(), record.offset(), record.key(), e.getMessage());
                    }
                }
                if (stopping) {
                    return;
                }
            }
            Log.debugf("read %d round records", read);
        }
    }

    /**
     * Follows the rounds that were executing when the previous session ended. A round still DISPATCHED has not run
     * (its start may even have been put off by an outage that this session knows nothing of): its attempt is timed
     * from now. A RUNNING round is timed from its recorded {@code dispatchedAt}, which is when its attempt did start.
     */
    private void resumeRounds() {
        Instant now = clock.instant();
        for (Round round : book.rounds()) {
            if (round.status().executing()) {
                Log.infof("round %s is %s (attempt %d of %d, step %d of %d): following it again", round.id(),
                        round.status(), round.attempt(), round.plan().maxAttempts(), round.progress().step(),
                        round.plan().totalSteps());
                lastProgressAt.putIfAbsent(round.id(), now);
                startExecution(book.startingLate(round.id(), round.attempt(), now).orElse(round), true);
            } else if ((round.status() == RoundStatus.CANCELLED || round.status() == RoundStatus.FAILED)
                    && round.finishedAt() != null
                    && round.finishedAt().isAfter(now.minus(settings.attemptTimeout()))) {
                Execution running = executions.remove(round.id());
                if (running != null) {
                    running.stop(new Failure("cancelled", "round " + round.id() + " is " + round.status(), false));
                }
                cleaner.execute(() -> dispatcher.cleanUp(round));
            }
        }
    }

    private void shard(ConsumerRecord<String, byte[]> record) {
        metrics.recordIn();
        String at = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value() == null) {
            metrics.rejected("null_value");
            Log.warnf("skipping %s (key %s): no value", at, record.key());
            return;
        }
        ShardReady event;
        try {
            event = shardDecoder.decode(record.value());
        } catch (SerializationException e) {
            metrics.rejected("invalid_avro");
            Log.warnf("skipping %s (key %s): not a ShardReady: %s", at, record.key(), e.getMessage());
            return;
        }
        if (event.getShardId().isBlank() || event.getUri().isBlank() || event.getTokenCount() <= 0
                || event.getTokenizerSha256().isBlank() || event.getSeqLen() <= 0) {
            metrics.rejected("invalid_shard");
            Log.warnf("skipping %s: shard %s has no uri, tokens, tokenizer hash or seq_len", at, event.getShardId());
            return;
        }
        PooledShard shard = RoundRecords.shard(event, record.partition(), record.offset());
        switch (book.offer(shard)) {
            case ADDED -> Log.infof("pooled shard %s from %s: %d tokens %s, tokenizer %s", shard.shardId(), at,
                    shard.tokenCount(), shard.tokensPerLang(), shard.tokenizerName());
            case DUPLICATE -> Log.debugf("shard %s from %s is pooled already", shard.shardId(), at);
            case IN_ROUND -> Log.debugf("shard %s from %s is in round %s already", shard.shardId(), at,
                    book.roundOf(shard.shardId()).orElse("?"));
        }
    }

    // ---- commands ---------------------------------------------------------------------------------------------------

    private void drainInbox(Instant now) {
        Command command;
        while ((command = inbox.peek()) != null) {
            if (collapsesState(command)) {
                break; // commit the round's pending state first: every state a round passes through is recorded
            }
            inbox.poll();
            if (command instanceof Progress p) {
                progress(p);
            } else if (command instanceof Ended e) {
                ended(e, now);
            } else if (command instanceof Started s) {
                started(s);
            } else if (command instanceof Unavailable u) {
                putOffStart(u, now);
            } else if (command instanceof TriggerNow t) {
                plan(now, t.result());
            } else if (command instanceof Cancel c) {
                cancel(c, now);
            }
        }
    }

    /** Whether the command would move a round whose current state is not committed yet to another state. */
    private boolean collapsesState(Command command) {
        String roundId;
        if (command instanceof Ended e) {
            roundId = e.roundId();
        } else if (command instanceof Cancel c) {
            roundId = c.roundId();
        } else if (command instanceof Progress p && !(p.event() instanceof TrainerEvent.Error)) {
            roundId = book.round(p.roundId()).filter(r -> r.status() == RoundStatus.DISPATCHED).map(Round::id)
                    .orElse(null);
        } else {
            return false;
        }
        return roundId != null && pendingRounds.contains(roundId);
    }

    private void progress(Progress p) {
        RoundBook.Change change = book.progress(p.roundId(), p.attempt(), p.event(), p.at());
        if (change == RoundBook.Change.NONE) {
            return;
        }
        lastProgressAt.put(p.roundId(), p.at());
        if (change == RoundBook.Change.NOW) {
            pendingRounds.add(p.roundId());
        } else {
            unpersistedProgress.add(p.roundId());
        }
        if (p.event() instanceof TrainerEvent.Step s) {
            Log.debugf("round %s step %d: loss %.4f, %.0f tokens/s", p.roundId(), s.step(), s.loss(),
                    s.tokensPerSecond() == null ? Double.NaN : s.tokensPerSecond());
        } else if (p.event() instanceof TrainerEvent.Checkpoint c) {
            Log.infof("round %s: checkpoint of step %d at %s", p.roundId(), c.step(), c.path());
        }
    }

    private void ended(Ended e, Instant now) {
        Execution execution = executions.get(e.roundId());
        if (execution != null && execution.attempt() == e.attempt()) {
            executions.remove(e.roundId());
        }
        if (book.round(e.roundId()).map(r -> r.attempt() == e.attempt()).orElse(false)) {
            putOffStarts.remove(e.roundId());
        }
        Optional<Round> next = book.ended(e.roundId(), e.attempt(), e.outcome(), now);
        if (next.isEmpty()) {
            Log.debugf("round %s attempt %d ended after the round moved on: %s", e.roundId(), e.attempt(),
                    e.outcome());
            return;
        }
        Round round = next.get();
        pendingRounds.add(round.id());
        switch (round.status()) {
            case SUCCEEDED -> {
                pendingCheckpoints.add(RoundRecords.checkpoint(round, now));
                afterCommit.add(() -> {
                    Log.infof("round %s SUCCEEDED at step %d: loss %s -> %s, checkpoint %s announced as %s",
                            round.id(), round.progress().step(), round.progress().firstLoss(), round.progress().loss(),
                            round.checkpointUri(), round.checkpointId());
                    metrics.roundEnded(RoundStatus.SUCCEEDED);
                    cleaner.execute(() -> dispatcher.cleanUp(round));
                });
            }
            case PLANNED -> afterCommit.add(() -> Log.warnf("round %s attempt %d of %d failed (%s: %s); retrying at %s"
                    + " from its last checkpoint", round.id(), e.attempt(), round.plan().maxAttempts(),
                    round.failure().reason(), round.failure().message(), round.notBefore()));
            case FAILED -> afterCommit.add(() -> {
                Log.errorf("round %s FAILED after %d attempt(s): %s: %s; its %d shards are kept aside", round.id(),
                        round.attempt(), round.failure().reason(), round.failure().message(),
                        round.plan().shards().size());
                metrics.roundEnded(RoundStatus.FAILED);
                cleaner.execute(() -> dispatcher.cleanUp(round));
            });
            default -> {
            }
        }
    }

    private void started(Started s) {
        Optional<Round> round = book.round(s.roundId());
        if (round.isPresent() && round.get().status().executing() && round.get().attempt() == s.attempt()) {
            executions.put(s.roundId(), s.execution());
            PutOff waited = putOffStarts.remove(s.roundId());
            if (waited != null && waited.attempt() == s.attempt()) {
                // had it not run yet, its time counts from this try (retryPutOffStarts)
                Log.infof("round %s attempt %d started after %d failed tr%s: the %s dispatcher is available again",
                        s.roundId(), s.attempt(), waited.tries(), waited.tries() == 1 ? "y" : "ies",
                        dispatcher.name());
            }
        } else {
            // cancelled (or ended) while it was being started
            s.execution().stop(new Failure("cancelled", "round " + s.roundId() + " moved on while its attempt "
                    + s.attempt() + " was starting", false));
        }
    }

    private void cancel(Cancel c, Instant now) {
        Optional<Round> known = book.round(c.roundId());
        if (known.isEmpty()) {
            c.result().completeExceptionally(new CoordinatorException(CoordinatorException.Reason.ROUND_NOT_FOUND,
                    "no round " + c.roundId()));
            return;
        }
        if (known.get().status().terminal()) {
            c.result().completeExceptionally(new CoordinatorException(CoordinatorException.Reason.ROUND_ENDED,
                    "round " + c.roundId() + " has ended: " + known.get().status()));
            return;
        }
        Round cancelled = book.cancel(c.roundId(), now);
        pendingRounds.add(cancelled.id());
        putOffStarts.remove(cancelled.id()); // a start under way is stopped once it reports (started)
        openRequests.add(c.result());
        afterCommit.add(() -> {
            Log.infof("round %s CANCELLED; its %d shards are back in the pool", cancelled.id(),
                    cancelled.plan().shards().size());
            metrics.roundEnded(RoundStatus.CANCELLED);
            Execution execution = executions.remove(cancelled.id());
            if (execution != null) {
                execution.stop(new Failure("cancelled", "cancelled on request", false));
            }
            cleaner.execute(() -> dispatcher.cleanUp(cancelled));
            openRequests.remove(c.result());
            c.result().complete(book.round(cancelled.id()).orElse(cancelled));
        });
    }

    // ---- timers, planning, dispatching ------------------------------------------------------------------------------

    /**
     * Stops attempts that hang (no progress for the stall timeout) or run too long; they are retried. An attempt's time
     * counts from the round's {@code dispatchedAt}: when the attempt was dispatched, or when it did start when its
     * start came later ({@link RoundBook#startingLate}).
     */
    private void watchTimes(Instant now) {
        for (Round round : book.rounds()) {
            if (!round.status().executing()) {
                continue;
            }
            Execution execution = executions.get(round.id());
            if (execution == null || execution.finished()) {
                continue;
            }
            Instant since = round.dispatchedAt();
            if (since != null && Duration.between(since, now).compareTo(settings.attemptTimeout()) > 0) {
                execution.stop(new Failure(Failure.TIMED_OUT, "attempt " + round.attempt() + " ran longer than "
                        + settings.attemptTimeout(), true));
                continue;
            }
            Optional<Instant> active = execution.activeSince();
            if (active.isEmpty()) {
                continue; // waiting for resources (a pending pod): not hung
            }
            Instant last = lastProgressAt.getOrDefault(round.id(), active.get());
            if (active.get().isAfter(last)) {
                last = active.get();
            }
            Duration quiet = Duration.between(last, now);
            if (quiet.compareTo(settings.stallTimeout()) > 0) {
                execution.stop(new Failure(Failure.STALLED, "no progress for " + quiet.toSeconds() + "s (step "
                        + round.progress().step() + " of " + round.plan().totalSteps() + ")", true));
            }
        }
    }

    /** Plans a round when one is due, or on request ({@code request} not null). */
    private void plan(Instant now, CompletableFuture<Round> request) {
        boolean manual = request != null;
        if (!manual && book.live().isPresent()) {
            return;
        }
        RoundBook.Planning planning = book.planIfDue(now, manual);
        if (planning.round().isEmpty()) {
            if (manual) {
                request.completeExceptionally(new CoordinatorException(CoordinatorException.Reason.NOTHING_TO_TRAIN,
                        "no round can be planned now: " + planning.note()));
            } else if (!planning.note().equals(lastDecisionLogged)) {
                lastDecisionLogged = planning.note();
                Log.debugf("policy: %s", planning.note());
            }
            return;
        }
        Round round = planning.round().get();
        pendingRounds.add(round.id());
        if (manual) {
            openRequests.add(request);
        }
        afterCommit.add(() -> {
            Log.infof("round %s PLANNED (%s): %d shards, %d tokens %s, %d steps of %d tokens, from %s; %s",
                    round.id(), planning.decision().explanation(), round.plan().shards().size(),
                    round.plan().tokenCount(), round.plan().tokensPerLang(), round.plan().totalSteps(),
                    round.plan().tokensPerStep(), round.plan().parentCheckpointUri() == null ? "a fresh model"
                            : round.plan().parentCheckpointUri(), planning.note());
            if (manual) {
                openRequests.remove(request);
                request.complete(book.round(round.id()).orElse(round));
            }
        });
    }

    /** Dispatches the PLANNED round whose time has come: DISPATCHED is committed first, then the attempt starts. */
    private void dispatch(Instant now) {
        Optional<Round> ready = book.dispatchable(now);
        if (ready.isEmpty()) {
            return;
        }
        Round planned = ready.get();
        if (pendingRounds.contains(planned.id())) {
            return; // its PLANNED state is committed first, on its own
        }
        int attempt = planned.attempt() + 1;
        Round dispatched = book.dispatched(planned.id(), dispatcher.executionHandle(planned, attempt), now);
        pendingRounds.add(dispatched.id());
        lastProgressAt.put(dispatched.id(), now);
        afterCommit.add(() -> {
            Log.infof("round %s DISPATCHED: attempt %d of %d with %s (%s)", dispatched.id(), attempt,
                    dispatched.plan().maxAttempts(), dispatcher.name(), dispatched.execution());
            startExecution(book.round(dispatched.id()).orElse(dispatched), false);
        });
    }

    private void startExecution(Round round, boolean resume) {
        starter.execute(() -> {
            try {
                Execution execution = resume ? dispatcher.resume(round, listener) : dispatcher.start(round, listener);
                inbox.add(new Started(round.id(), round.attempt(), execution));
            } catch (CoordinatorException e) {
                if (e.reason() == CoordinatorException.Reason.DISPATCH_UNAVAILABLE) {
                    // not a failed attempt: the loop starts the same attempt again after a backoff (putOffStart)
                    inbox.add(new Unavailable(round.id(), round.attempt(), resume, e.detail(), e.getMessage()));
                    return;
                }
                Log.warnf("round %s attempt %d could not be started: %s", round.id(), round.attempt(),
                        e.getMessage());
                inbox.add(new Ended(round.id(), round.attempt(), new AttemptOutcome.Failed(new Failure(
                        Failure.DISPATCH_FAILED, e.getMessage(), e.reason().retriable()))));
            } catch (RuntimeException e) {
                Log.errorf(e, "round %s attempt %d could not be started: %s", round.id(), round.attempt(), e);
                inbox.add(new Ended(round.id(), round.attempt(), new AttemptOutcome.Failed(new Failure(
                        Failure.DISPATCH_FAILED, e.toString(), true))));
            }
        });
    }

    /**
     * The dispatcher could not start an attempt because it is unavailable: the round stays as it is (DISPATCHED, or
     * RUNNING when a new session followed it again), its attempt is not counted, and the same attempt is started
     * again after a backoff. Nothing is written: the committed DISPATCHED record already names the attempt, and
     * starting it again adopts whatever the failed start may have made.
     */
    private void putOffStart(Unavailable u, Instant now) {
        Optional<Round> round = book.round(u.roundId());
        Execution running = executions.get(u.roundId());
        if (round.isEmpty() || !round.get().status().executing() || round.get().attempt() != u.attempt()
                || (running != null && running.attempt() == u.attempt())) {
            Log.debugf("round %s attempt %d: a start put off by an unavailable dispatcher is moot: %s", u.roundId(),
                    u.attempt(), round.map(r -> r.status() + " attempt " + r.attempt()).orElse("no such round"));
            return;
        }
        PutOff previous = putOffStarts.get(u.roundId());
        int tries = previous != null && previous.attempt() == u.attempt() ? previous.tries() + 1 : 1;
        Duration wait = dispatchRetry.after(tries);
        Instant since = tries > 1 && previous.since() != null ? previous.since() : now;
        putOffStarts.put(u.roundId(), new PutOff(u.attempt(), u.resume(), tries, now.plus(wait), since, u.detail(),
                u.message()));
        metrics.dispatchRetried(u.detail());
        Log.warnf("round %s attempt %d of %d could not be started (%s): %s; it stays %s and the same attempt is "
                + "started again in %s (retry %d; no attempt is used up)", u.roundId(), u.attempt(),
                round.get().plan().maxAttempts(), u.detail(), u.message(), round.get().status(), wait, tries);
    }

    /**
     * Starts again the attempts whose start was put off, once their backoff is over. A round still DISPATCHED has not
     * run: should this try start it, its time counts from now, not from when it was dispatched.
     */
    private void retryPutOffStarts(Instant now) {
        for (var it = putOffStarts.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, PutOff> entry = it.next();
            PutOff p = entry.getValue();
            Optional<Round> round = book.round(entry.getKey())
                    .filter(r -> r.status().executing() && r.attempt() == p.attempt());
            if (round.isEmpty()) {
                it.remove(); // the round moved on (cancelled)
            } else if (p.at() != null && !p.at().isAfter(now)) {
                entry.setValue(new PutOff(p.attempt(), p.resume(), p.tries(), null, p.since(), p.detail(),
                        p.message()));
                startExecution(book.startingLate(entry.getKey(), p.attempt(), now).orElse(round.get()), p.resume());
            }
        }
    }

    private void flushProgress(Instant now) {
        for (String id : unpersistedProgress) {
            Instant last = lastPersistedAt.get(id);
            if (last == null || Duration.between(last, now).compareTo(settings.progressInterval()) >= 0) {
                pendingRounds.add(id);
            }
        }
    }

    // ---- the transaction -------------------------------------------------------------------------------------------

    private void commit(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer, Instant now) {
        if (pendingRounds.isEmpty() && pendingCheckpoints.isEmpty()) {
            return;
        }
        Map<Integer, Long> positions = new LinkedHashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            positions.put(tp.partition(), consumer.position(tp));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        book.committableOffsets(positions).forEach((p, offset) -> offsets.put(
                new TopicPartition(settings.shardsTopic(), p), new OffsetAndMetadata(offset)));
        List<Round> written = new ArrayList<>();
        producer.beginTransaction();
        try {
            for (String id : pendingRounds) {
                Round round = book.stamp(id);
                written.add(round);
                producer.send(new ProducerRecord<>(settings.roundsTopic(), id,
                        AvroSerializer.encode(RoundRecords.toRecord(round, now))));
            }
            for (CheckpointReady checkpoint : pendingCheckpoints) {
                producer.send(new ProducerRecord<>(settings.checkpointsTopic(), checkpoint.getCheckpointId(),
                        AvroSerializer.encode(checkpoint)));
            }
            producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(settings.groupId()));
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
        metrics.recordOut(settings.roundsTopic(), written.size());
        if (!pendingCheckpoints.isEmpty()) {
            metrics.recordOut(settings.checkpointsTopic(), pendingCheckpoints.size());
        }
        for (Round round : written) {
            lastPersistedAt.put(round.id(), now);
            unpersistedProgress.remove(round.id());
            Log.debugf("committed round %s revision %d: %s", round.id(), round.revision(), round.status());
        }
        pendingRounds.clear();
        pendingCheckpoints.clear();
        List<Runnable> actions = new ArrayList<>(afterCommit);
        afterCommit.clear();
        actions.forEach(Runnable::run);
    }

    private void publish() {
        RoundBook current = book;
        Status status = status();
        if (current == null) {
            Snapshot old = snapshot;
            snapshot = new Snapshot(old.rounds(), old.pool(), old.aside(), old.decision(), status,
                    old.dispatchWaits());
            return;
        }
        List<PooledShard> pool = current.pool();
        List<AsideShard> aside = current.aside();
        Set<String> asideIds = new HashSet<>();
        aside.forEach(a -> asideIds.add(a.shard().shardId()));
        List<PooledShard> waiting = pool.stream().filter(s -> !asideIds.contains(s.shardId())).toList();
        metrics.pool(waiting.size(), waiting.stream().mapToLong(PooledShard::tokenCount).sum());
        current.live().ifPresentOrElse(
                r -> metrics.live(r.progress().step(), r.progress().loss(), r.progress().tokensPerSecond()),
                () -> metrics.live(0, null, null));
        var decision = current.lastDecision();
        Map<String, DispatchWait> waits = new LinkedHashMap<>();
        putOffStarts.forEach((round, p) -> waits.put(round, p.view()));
        snapshot = new Snapshot(current.rounds(), waiting, aside, decision == null ? "" : decision.explanation(),
                status, Map.copyOf(waits));
    }

    private void failRequests(Exception cause) {
        for (CompletableFuture<Round> request : openRequests) {
            request.completeExceptionally(new CoordinatorException(CoordinatorException.Reason.NOT_READY,
                    "the coordinator lost its session before the change was committed: " + cause.getMessage(),
                    cause));
        }
        openRequests.clear();
        Command command;
        List<Command> keep = new ArrayList<>();
        while ((command = inbox.poll()) != null) {
            if (command instanceof TriggerNow t) {
                t.result().completeExceptionally(new CoordinatorException(CoordinatorException.Reason.NOT_READY,
                        "the coordinator is reconnecting"));
            } else if (command instanceof Cancel c) {
                c.result().completeExceptionally(new CoordinatorException(CoordinatorException.Reason.NOT_READY,
                        "the coordinator is reconnecting"));
            } else {
                keep.add(command);
            }
        }
        inbox.addAll(keep);
    }

    // ---- Kafka clients ----------------------------------------------------------------------------------------------

    private Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>(settings.kafka());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-producer");
        return p;
    }

    private Map<String, Object> consumerConfig(boolean withGroup) {
        Map<String, Object> c = new HashMap<>(settings.kafka());
        if (withGroup) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        }
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + (withGroup ? "-shards" : "-rounds"));
        return c;
    }

    private List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new KafkaException("topic " + topic + " does not exist");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    private static String describe(Map<TopicPartition, OffsetAndMetadata> committed, List<TopicPartition> all) {
        StringBuilder out = new StringBuilder();
        for (TopicPartition tp : all) {
            OffsetAndMetadata at = committed.get(tp);
            out.append(out.length() == 0 ? "" : ", ").append(tp.partition()).append('@')
                    .append(at == null ? "start" : String.valueOf(at.offset()));
        }
        return out.toString();
    }

    private void awaitStop(Duration d) {
        try {
            stopRequested.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Queues what executions report, for the loop thread. */
    private final class Listener implements ExecutionListener {

        @Override
        public void progress(String roundId, int attempt, TrainerEvent event) {
            inbox.add(new Progress(roundId, attempt, event, clock.instant()));
        }

        @Override
        public void ended(String roundId, int attempt, AttemptOutcome outcome) {
            inbox.add(new Ended(roundId, attempt, outcome));
        }
    }
}
