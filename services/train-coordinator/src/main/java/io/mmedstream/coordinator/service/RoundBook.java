package io.mmedstream.coordinator.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundIds;
import io.mmedstream.coordinator.domain.RoundProgress;
import io.mmedstream.coordinator.domain.RoundStatus;

/**
 * The coordinator's state: every round, and the pool of untrained shards. Plain Java, used by one thread; it neither
 * reads nor writes Kafka: the messaging layer restores it from the rounds topic, offers it the announced shards, and
 * persists the rounds it changes.
 *
 * <p>Rules it keeps:
 * <ul>
 * <li>A shard is in exactly one place: the pool, or one round. The pool is what was announced minus the shards of
 * every round, plus the shards of CANCELLED rounds (released). Shards of a FAILED round stay with it and are shown
 * aside ({@value AsideShard#ROUND_FAILED}); they are not planned again automatically.</li>
 * <li>At most one round is live (PLANNED, DISPATCHED or RUNNING): rounds continue one another's checkpoints, so the
 * next one is planned only when the previous one ended.</li>
 * <li>Round numbers only grow; a round id is never reused.</li>
 * </ul>
 */
public final class RoundBook {

    /**
     * Retry backoff after a retriable failure: {@code initial x 2^(attempt-1)}, at most {@code max}.
     */
    public record Retry(Duration initial, Duration max) {

        /**
         * @throws IllegalArgumentException when {@code initial} or {@code max} is not positive: doubling zero never
         *         grows, so every retry would follow the failure at once
         */
        public Retry {
            if (initial == null || initial.isNegative() || initial.isZero()) {
                throw new IllegalArgumentException("a retry backoff must be positive, not " + initial);
            }
            if (max == null || max.isNegative() || max.isZero()) {
                throw new IllegalArgumentException("a longest retry backoff must be positive, not " + max);
            }
        }

        public Duration after(int attempt) {
            Duration d = initial;
            for (int i = 1; i < attempt && d.compareTo(max) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(max) > 0 ? max : d;
        }
    }

    /** What {@link #offer} did with a shard. */
    public enum Offer {
        /** New: it is in the pool now. */
        ADDED,
        /** It was in the pool already (announced twice, or read again after a restart). */
        DUPLICATE,
        /** It is already in a round: never pooled again. */
        IN_ROUND
    }

    /** How urgently a change should be persisted. */
    public enum Change {
        /** Nothing changed (an event of an old attempt, or of a round that has ended). */
        NONE,
        /** Progress only: persisted at the next progress interval. */
        PROGRESS,
        /** A state change or a checkpoint: persist now. */
        NOW
    }

    /**
     * The result of {@link #planIfDue}.
     *
     * @param decision what the policy decided
     * @param round the new PLANNED round (not yet persisted), or empty
     * @param note the mix chosen, or why no round could be made although one was due
     */
    public record Planning(RoundPolicy.Decision decision, Optional<Round> round, String note) {
    }

    private final RoundPolicy policy;
    private final RoundPlanner planner;
    private final Retry retry;
    private final Optional<String> configuredTokenizer;
    private final Optional<String> baseTokenizer;

    private final Map<String, Round> rounds = new TreeMap<>();
    /** Pooled shards by id, in announcement order. */
    private final Map<String, PooledShard> pool = new LinkedHashMap<>();
    /** Pooled shards that came back from a CANCELLED round: durable in the rounds topic, they pin no offset. */
    private final Map<String, String> released = new HashMap<>();
    /** Shard id -> the round that holds it. */
    private final Map<String, String> taken = new HashMap<>();
    private RoundPolicy.Decision lastDecision;

    /**
     * @param configuredTokenizer the tokenizer SHA-256 rounds must use, when configured
     * @param baseTokenizer the SHA-256 of the base checkpoint's tokenizer.json, when there is one and it is readable
     */
    public RoundBook(RoundPolicy policy, RoundPlanner planner, Retry retry, Optional<String> configuredTokenizer,
            Optional<String> baseTokenizer) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.planner = Objects.requireNonNull(planner, "planner");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.configuredTokenizer = configuredTokenizer;
        this.baseTokenizer = baseTokenizer;
    }

    // ---- restoring ----------------------------------------------------------------------------------------------

    /** Takes a round read back from the rounds topic; of several records of one round the highest revision wins. */
    public void restore(Round round) {
        Round known = rounds.get(round.id());
        if (known == null || round.revision() >= known.revision()) {
            rounds.put(round.id(), round);
        }
        reindex();
    }

    private void reindex() {
        taken.clear();
        for (String id : released.keySet()) {
            pool.remove(id);
        }
        released.clear();
        List<Round> ordered = new ArrayList<>(rounds.values());
        ordered.sort(Comparator.comparingLong(r -> r.plan().number()));
        for (Round round : ordered) {
            for (PooledShard shard : round.plan().shards()) {
                if (round.shardsReleased()) {
                    if (round.id().equals(taken.get(shard.shardId())) || !taken.containsKey(shard.shardId())) {
                        taken.remove(shard.shardId());
                        released.put(shard.shardId(), round.id());
                    }
                } else {
                    taken.put(shard.shardId(), round.id());
                    released.remove(shard.shardId());
                }
            }
        }
        for (String id : taken.keySet()) {
            pool.remove(id);
        }
        for (Round round : ordered) {
            if (round.shardsReleased()) {
                for (PooledShard shard : round.plan().shards()) {
                    if (released.containsKey(shard.shardId()) && !pool.containsKey(shard.shardId())) {
                        pool.put(shard.shardId(), shard);
                    }
                }
            }
        }
    }

    // ---- shards -------------------------------------------------------------------------------------------------

    /** Offers an announced shard. */
    public Offer offer(PooledShard shard) {
        if (taken.containsKey(shard.shardId())) {
            return Offer.IN_ROUND;
        }
        if (pool.containsKey(shard.shardId())) {
            return Offer.DUPLICATE;
        }
        pool.put(shard.shardId(), shard);
        return Offer.ADDED;
    }

    /** The round holding a shard, if any. */
    public Optional<String> roundOf(String shardId) {
        return Optional.ofNullable(taken.get(shardId));
    }

    /** The pooled shards, in announcement order (those of another tokenizer included). */
    public List<PooledShard> pool() {
        return List.copyOf(pool.values());
    }

    /** Shards kept aside: pooled shards of another tokenizer, and the shards of FAILED rounds. */
    public List<AsideShard> aside() {
        List<AsideShard> aside = new ArrayList<>(policy.decide(pool(), requiredTokenizer(), Instant.EPOCH, false)
                .aside());
        for (Round round : rounds.values()) {
            if (round.status() == RoundStatus.FAILED) {
                String detail = "round " + round.id() + " failed"
                        + (round.failure() != null ? ": " + round.failure().reason() : "");
                for (PooledShard shard : round.plan().shards()) {
                    if (round.id().equals(taken.get(shard.shardId()))) {
                        aside.add(new AsideShard(shard, AsideShard.ROUND_FAILED, detail));
                    }
                }
            }
        }
        return aside;
    }

    /**
     * The consumer offsets that may be committed with the next transaction: per partition of the shards topic, the
     * consumer's position, but never past a pooled shard that only its announcement keeps (so that after a restart it
     * is read again and comes back to the pool). Shards in rounds, and released ones, are in the rounds topic.
     *
     * @param positions the consumer's position (next offset to read) per partition
     */
    public Map<Integer, Long> committableOffsets(Map<Integer, Long> positions) {
        Map<Integer, Long> offsets = new TreeMap<>(positions);
        for (PooledShard shard : pool.values()) {
            if (released.containsKey(shard.shardId())) {
                continue;
            }
            offsets.computeIfPresent(shard.readyPartition(), (p, pos) -> Math.min(pos, shard.readyOffset()));
        }
        return offsets;
    }

    // ---- rounds -------------------------------------------------------------------------------------------------

    /** Every round, by id. */
    public List<Round> rounds() {
        return List.copyOf(rounds.values());
    }

    public Optional<Round> round(String roundId) {
        return Optional.ofNullable(rounds.get(roundId));
    }

    /** The round that is PLANNED, DISPATCHED or RUNNING, if any. */
    public Optional<Round> live() {
        return rounds.values().stream().filter(r -> !r.status().terminal()).findFirst();
    }

    /** The last policy decision (null before the first look). */
    public RoundPolicy.Decision lastDecision() {
        return lastDecision;
    }

    /**
     * The tokenizer every new round must use: the configured one, else that of the lineage's last SUCCEEDED round,
     * else that of the live round (the first one, still running), else the base checkpoint's; null when none of
     * these exists (the first round then takes the oldest shard's).
     */
    public String requiredTokenizer() {
        if (configuredTokenizer.isPresent()) {
            return configuredTokenizer.get();
        }
        return lastSucceeded().or(this::live).map(r -> r.plan().tokenizerSha256()).orElse(baseTokenizer.orElse(null));
    }

    private Optional<Round> lastSucceeded() {
        return rounds.values().stream().filter(r -> r.status() == RoundStatus.SUCCEEDED)
                .max(Comparator.comparingLong(r -> r.plan().number()));
    }

    /**
     * Plans a round when one is due (always when {@code manual}, if there are shards) and none is live. The new round
     * is in the book when this returns, its shards out of the pool; persist it (revision 1) before dispatching it.
     */
    public Planning planIfDue(Instant now, boolean manual) {
        RoundPolicy.Decision decision = policy.decide(pool(), requiredTokenizer(), now, manual);
        lastDecision = decision;
        Optional<Round> live = live();
        if (live.isPresent()) {
            return new Planning(decision, Optional.empty(), "round " + live.get().id() + " is still "
                    + live.get().status());
        }
        if (!decision.due()) {
            return new Planning(decision, Optional.empty(), decision.explanation());
        }
        RoundPlanner.Parent parent = lastSucceeded()
                .map(r -> new RoundPlanner.Parent(r.checkpointId(), r.checkpointUri())).orElse(null);
        RoundPlanner.PlanAttempt attempt = planner.plan(nextRoundNumber(), decision.trigger(), now,
                decision.selected(), parent);
        if (attempt.plan() == null) {
            return new Planning(decision, Optional.empty(), attempt.note());
        }
        Round round = Round.planned(attempt.plan());
        rounds.put(round.id(), round);
        for (PooledShard shard : round.plan().shards()) {
            pool.remove(shard.shardId());
            released.remove(shard.shardId());
            taken.put(shard.shardId(), round.id());
        }
        return new Planning(decision, Optional.of(round), attempt.note());
    }

    /** The next round number: one more than any round ever recorded. */
    public long nextRoundNumber() {
        return rounds.keySet().stream().mapToLong(RoundIds::number).max().orElse(0) + 1;
    }

    /** The PLANNED round whose backoff is over, if any. */
    public Optional<Round> dispatchable(Instant now) {
        return rounds.values().stream().filter(r -> r.status() == RoundStatus.PLANNED)
                .filter(r -> r.notBefore() == null || !r.notBefore().isAfter(now)).findFirst();
    }

    /** PLANNED -> DISPATCHED: the next attempt, with the dispatcher's handle. Persist it before starting it. */
    public Round dispatched(String roundId, String execution, Instant now) {
        Round round = require(roundId);
        return put(round.toBuilder().status(RoundStatus.DISPATCHED).attempt(round.attempt() + 1).execution(execution)
                .dispatchedAt(now).notBefore(null).updatedAt(now).build());
    }

    /**
     * The current attempt of a round that has not run yet (DISPATCHED: its trainer reported nothing) is about to be
     * started later than it was dispatched: again after its start was put off because the dispatcher was unavailable,
     * or by a new session, which cannot know whether the previous one did start it. Its time ({@code
     * attempt-timeout}) counts from now: {@link Round#dispatchedAt()} moves here and is persisted with the round's
     * next record (RUNNING, once the trainer reports), so that a later restart still times the attempt from when it
     * really started. A RUNNING round, or another attempt, is left as it is.
     *
     * @return the round's value, moved or not; empty when there is no such round
     */
    public Optional<Round> startingLate(String roundId, int attempt, Instant now) {
        Round round = rounds.get(roundId);
        if (round == null || round.status() != RoundStatus.DISPATCHED || round.attempt() != attempt
                || (round.dispatchedAt() != null && !now.isAfter(round.dispatchedAt()))) {
            return Optional.ofNullable(round);
        }
        return Optional.of(put(round.toBuilder().dispatchedAt(now).build()));
    }

    /** The current attempt of a DISPATCHED or RUNNING round was started again after a restart (same attempt). */
    public Round redispatched(String roundId, String execution, Instant now) {
        Round round = require(roundId);
        return put(round.toBuilder().execution(execution).updatedAt(now).build());
    }

    /** A progress event of attempt {@code attempt} of a round. Events of other attempts change nothing. */
    public Change progress(String roundId, int attempt, TrainerEvent event, Instant now) {
        Round round = rounds.get(roundId);
        if (round == null || !round.status().executing() || round.attempt() != attempt) {
            return Change.NONE;
        }
        RoundProgress p = round.progress();
        Round.Builder next = round.toBuilder().updatedAt(now);
        Change change = Change.PROGRESS;
        if (round.status() == RoundStatus.DISPATCHED && !(event instanceof TrainerEvent.Error)) {
            next.status(RoundStatus.RUNNING);
            change = Change.NOW;
            if (round.startedAt() == null) {
                next.startedAt(now);
            }
        }
        if (event instanceof TrainerEvent.Step s) {
            next.progress(new RoundProgress(s.step(), s.tokensSeen(), p.tokensSeenPerLang(),
                    p.firstLoss() != null ? p.firstLoss() : Double.valueOf(s.loss()), s.loss(), s.learningRate(),
                    s.tokensPerSecond(), p.lastCheckpointUri()));
        } else if (event instanceof TrainerEvent.Checkpoint c) {
            next.progress(new RoundProgress(Math.max(p.step(), c.step()), Math.max(p.tokensSeen(), c.tokensSeen()),
                    c.tokensPerLang(), p.firstLoss(), p.loss(), p.learningRate(), p.tokensPerSecond(), c.path()));
            change = Change.NOW;
        } else if (event instanceof TrainerEvent.Start s && p.step() != s.step()) {
            next.progress(new RoundProgress(s.step(), p.tokensSeen(), p.tokensSeenPerLang(), p.firstLoss(), p.loss(),
                    p.learningRate(), p.tokensPerSecond(), p.lastCheckpointUri()));
        }
        // done and error: the attempt's outcome carries them
        put(next.build());
        return change;
    }

    /**
     * The current attempt ended. Success: SUCCEEDED with the checkpoint. Retriable failure with attempts left: back
     * to PLANNED after a backoff (the next attempt resumes from the last checkpoint). Otherwise FAILED.
     *
     * @return the round's new value; empty when the outcome belongs to an older attempt or to a round that ended
     */
    public Optional<Round> ended(String roundId, int attempt, AttemptOutcome outcome, Instant now) {
        Round round = rounds.get(roundId);
        if (round == null || !round.status().executing() || round.attempt() != attempt) {
            return Optional.empty();
        }
        Round.Builder next = round.toBuilder().updatedAt(now);
        if (outcome instanceof AttemptOutcome.Succeeded s) {
            RoundProgress p = round.progress();
            Map<String, Long> perLang = s.tokensPerLang().isEmpty() ? p.tokensSeenPerLang() : s.tokensPerLang();
            next.status(RoundStatus.SUCCEEDED).finishedAt(now)
                    .checkpoint(RoundIds.checkpointId(roundId, s.step()), s.checkpointUri())
                    .progress(new RoundProgress(Math.max(s.step(), p.step()), Math.max(s.tokensSeen(), p.tokensSeen()),
                            perLang, s.firstLoss() != null ? s.firstLoss() : p.firstLoss(),
                            s.finalLoss() != null ? s.finalLoss() : p.loss(), p.learningRate(), p.tokensPerSecond(),
                            s.checkpointUri()))
                    .failure(null);
            if (round.startedAt() == null) {
                next.startedAt(now);
            }
        } else {
            Failure failure = ((AttemptOutcome.Failed) outcome).failure();
            if (failure.retriable() && attempt < round.plan().maxAttempts()) {
                next.status(RoundStatus.PLANNED).notBefore(now.plus(retry.after(attempt))).failure(failure);
            } else {
                Failure last = failure.retriable()
                        ? new Failure(failure.reason(), "gave up after " + attempt
                                + (attempt == 1 ? " attempt: " : " attempts: ") + failure.message(), false)
                        : failure;
                next.status(RoundStatus.FAILED).finishedAt(now).failure(last);
            }
        }
        return Optional.of(put(next.build()));
    }

    /**
     * Cancels a round that has not ended: CANCELLED at once, its shards back in the pool. The caller stops its
     * execution after persisting this.
     *
     * @throws IllegalStateException when the round has ended already
     */
    public Round cancel(String roundId, Instant now) {
        Round round = require(roundId);
        if (round.status().terminal()) {
            throw new IllegalStateException("round " + roundId + " has ended: " + round.status());
        }
        Round cancelled = put(round.toBuilder().status(RoundStatus.CANCELLED).finishedAt(now).shardsReleased(true)
                .notBefore(null).updatedAt(now).build());
        reindex();
        return cancelled;
    }

    /** Gives a round the next revision, for persisting it. */
    public Round stamp(String roundId) {
        Round round = require(roundId);
        return put(round.toBuilder().revision(round.revision() + 1).build());
    }

    private Round require(String roundId) {
        Round round = rounds.get(roundId);
        if (round == null) {
            throw new IllegalArgumentException("no round " + roundId);
        }
        return round;
    }

    private Round put(Round round) {
        rounds.put(round.id(), round);
        return round;
    }
}
