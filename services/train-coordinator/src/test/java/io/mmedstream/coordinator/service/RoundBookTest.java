package io.mmedstream.coordinator.service;

import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_A;
import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_B;
import static io.mmedstream.coordinator.testing.TestShards.shard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundStatus;
import io.mmedstream.coordinator.domain.Trigger;

class RoundBookTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static RoundBook book() {
        RoundPolicy policy = new RoundPolicy(new RoundPolicy.Settings(1000, Duration.ofMinutes(10), 100, 0));
        return new RoundBook(policy, RoundPlannerTest.planner(RoundPlannerTest.training(0), Optional.empty()),
                new RoundBook.Retry(Duration.ofSeconds(10), Duration.ofSeconds(25)), Optional.empty(),
                Optional.empty());
    }

    private static PooledShard at(String id, long tokens, int partition, long offset) {
        return shard(id, TOKENIZER_A, Map.of("en", tokens), T0.plusSeconds(offset), partition, offset);
    }

    private static Round planned(RoundBook book) {
        return book.planIfDue(T0.plusSeconds(60), false).round().orElseThrow();
    }

    @Test
    void aRoundGoesFromPlannedToSucceeded() {
        RoundBook book = book();
        assertThat(book.offer(at("s1", 1200, 0, 0))).isEqualTo(RoundBook.Offer.ADDED);
        Round round = planned(book);
        assertThat(round.status()).isEqualTo(RoundStatus.PLANNED);
        assertThat(round.plan().trigger()).isEqualTo(Trigger.THRESHOLD);
        assertThat(book.pool()).isEmpty();
        assertThat(book.roundOf("s1")).contains(round.id());

        Round dispatched = book.dispatched(round.id(), "exec-1", T0.plusSeconds(61));
        assertThat(dispatched.status()).isEqualTo(RoundStatus.DISPATCHED);
        assertThat(dispatched.attempt()).isEqualTo(1);
        assertThat(dispatched.execution()).isEqualTo("exec-1");

        assertThat(book.progress(round.id(), 1, new TrainerEvent.Start(0, 2, null, 100L, "cpu"), T0.plusSeconds(62)))
                .isEqualTo(RoundBook.Change.NOW);
        assertThat(book.round(round.id()).orElseThrow().status()).isEqualTo(RoundStatus.RUNNING);
        assertThat(book.progress(round.id(), 1, new TrainerEvent.Step(1, 6.5, 1e-3, 900.0, 512), T0.plusSeconds(63)))
                .isEqualTo(RoundBook.Change.PROGRESS);
        assertThat(book.progress(round.id(), 1, new TrainerEvent.Checkpoint(1, "file:///c/checkpoint-00000001", 512,
                Map.of("en", 512L)), T0.plusSeconds(63))).isEqualTo(RoundBook.Change.NOW);

        Round done = book.ended(round.id(), 1, new AttemptOutcome.Succeeded("file:///c/checkpoint-00000002", 2, 6.5,
                4.0, 1024, Map.of("en", 1024L)), T0.plusSeconds(70)).orElseThrow();
        assertThat(done.status()).isEqualTo(RoundStatus.SUCCEEDED);
        assertThat(done.checkpointId()).isEqualTo("round-000001-step-2");
        assertThat(done.checkpointUri()).isEqualTo("file:///c/checkpoint-00000002");
        assertThat(done.progress().firstLoss()).isEqualTo(6.5);
        assertThat(done.progress().loss()).isEqualTo(4.0);
        assertThat(done.progress().tokensSeenPerLang()).containsEntry("en", 1024L);
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(70));
        assertThat(book.live()).isEmpty();
        assertThat(book.requiredTokenizer()).isEqualTo(TOKENIZER_A);
    }

    @Test
    void theNextRoundContinuesTheLastCheckpointAndIsNotPlannedWhileOneIsLive() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round first = planned(book);
        book.offer(at("s2", 1200, 0, 1));
        assertThat(book.planIfDue(T0.plusSeconds(61), false).round()).isEmpty();
        assertThat(book.planIfDue(T0.plusSeconds(61), true).note()).contains("still PLANNED");
        book.dispatched(first.id(), "e", T0);
        book.ended(first.id(), 1, new AttemptOutcome.Succeeded("file:///c/1", 3, 1.0, 0.5, 10, Map.of()), T0);
        Round second = book.planIfDue(T0.plusSeconds(62), false).round().orElseThrow();
        assertThat(second.id()).isEqualTo("round-000002");
        assertThat(second.plan().parentCheckpointId()).isEqualTo("round-000001-step-3");
        assertThat(second.plan().parentCheckpointUri()).isEqualTo("file:///c/1");
        assertThat(second.plan().modelConfig()).isNull();
        assertThat(second.plan().shards()).extracting(PooledShard::shardId).containsExactly("s2");
    }

    @Test
    void aRetriableFailureReplansTheRoundAfterABackoffUntilTheAttemptsRunOut() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round round = planned(book);
        Failure io = new Failure("io", "disk full", true);
        for (int attempt = 1; attempt <= 2; attempt++) {
            book.dispatched(round.id(), "e" + attempt, T0);
            Round retry = book.ended(round.id(), attempt, new AttemptOutcome.Failed(io), T0).orElseThrow();
            assertThat(retry.status()).isEqualTo(RoundStatus.PLANNED);
            assertThat(retry.failure()).isEqualTo(io);
            assertThat(retry.notBefore()).isEqualTo(T0.plusSeconds(attempt == 1 ? 10 : 20));
            assertThat(book.dispatchable(T0.plusSeconds(9))).isEmpty();
            assertThat(book.dispatchable(T0.plusSeconds(20))).isPresent();
        }
        book.dispatched(round.id(), "e3", T0);
        Round failed = book.ended(round.id(), 3, new AttemptOutcome.Failed(io), T0).orElseThrow();
        assertThat(failed.status()).isEqualTo(RoundStatus.FAILED);
        assertThat(failed.attempt()).isEqualTo(3);
        assertThat(failed.failure().reason()).isEqualTo("io");
        assertThat(failed.failure().message()).isEqualTo("gave up after 3 attempts: disk full");
        assertThat(book.aside()).singleElement().satisfies(a -> {
            assertThat(a.reason()).isEqualTo(AsideShard.ROUND_FAILED);
            assertThat(a.shard().shardId()).isEqualTo("s1");
        });
        assertThat(book.pool()).isEmpty();
    }

    @Test
    void aPermanentFailureFailsTheRoundAtOnce() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round round = planned(book);
        book.dispatched(round.id(), "e", T0);
        Round failed = book.ended(round.id(), 1, new AttemptOutcome.Failed(new Failure("bad_data", "broken", false)),
                T0).orElseThrow();
        assertThat(failed.status()).isEqualTo(RoundStatus.FAILED);
        assertThat(failed.failure().message()).isEqualTo("broken");
    }

    @Test
    void eventsOfAnOlderAttemptChangeNothing() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round round = planned(book);
        book.dispatched(round.id(), "e1", T0);
        book.ended(round.id(), 1, new AttemptOutcome.Failed(new Failure("io", "x", true)), T0);
        book.dispatched(round.id(), "e2", T0.plusSeconds(30));
        assertThat(book.progress(round.id(), 1, new TrainerEvent.Step(9, 1, null, null, 9), T0))
                .isEqualTo(RoundBook.Change.NONE);
        assertThat(book.ended(round.id(), 1, new AttemptOutcome.Succeeded("u", 1, null, null, 0, Map.of()), T0))
                .isEmpty();
        assertThat(book.round(round.id()).orElseThrow().status()).isEqualTo(RoundStatus.DISPATCHED);
    }

    @Test
    void anAttemptStartedLateIsTimedFromItsStartAndKeepsThatTimeThroughARestart() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round round = planned(book);
        book.dispatched(round.id(), "e1", T0);
        // its start was put off (the dispatcher was unavailable) and tried again an hour later
        Round late = book.startingLate(round.id(), 1, T0.plusSeconds(3600)).orElseThrow();
        assertThat(late.dispatchedAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(late.status()).isEqualTo(RoundStatus.DISPATCHED);
        assertThat(late.attempt()).isEqualTo(1);
        // never backwards, and not for another attempt
        assertThat(book.startingLate(round.id(), 1, T0.plusSeconds(60)).orElseThrow().dispatchedAt())
                .isEqualTo(T0.plusSeconds(3600));
        assertThat(book.startingLate(round.id(), 2, T0.plusSeconds(7200)).orElseThrow().dispatchedAt())
                .isEqualTo(T0.plusSeconds(3600));
        // the RUNNING record carries it: a book restored from it keeps it, and a RUNNING round is not moved again
        book.progress(round.id(), 1, new TrainerEvent.Start(0, 2, null, 100L, "cpu"), T0.plusSeconds(3601));
        Round running = book.stamp(round.id());
        assertThat(running.status()).isEqualTo(RoundStatus.RUNNING);
        assertThat(running.dispatchedAt()).isEqualTo(T0.plusSeconds(3600));
        RoundBook restored = book();
        restored.restore(running);
        assertThat(restored.startingLate(round.id(), 1, T0.plusSeconds(5000)).orElseThrow().dispatchedAt())
                .isEqualTo(T0.plusSeconds(3600));
        assertThat(restored.startingLate("round-000099", 1, T0)).isEmpty();
    }

    @Test
    void aBackoffThatCannotGrowIsRefused() {
        assertThatThrownBy(() -> new RoundBook.Retry(Duration.ZERO, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new RoundBook.Retry(Duration.ofSeconds(-1), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RoundBook.Retry(Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        RoundBook.Retry retry = new RoundBook.Retry(Duration.ofMillis(1), Duration.ofMillis(5));
        assertThat(retry.after(1)).isEqualTo(Duration.ofMillis(1));
        assertThat(retry.after(3)).isEqualTo(Duration.ofMillis(4));
        assertThat(retry.after(10)).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void cancellingPutsTheShardsBackInThePool() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round round = planned(book);
        book.dispatched(round.id(), "e1", T0);
        Round cancelled = book.cancel(round.id(), T0.plusSeconds(5));
        assertThat(cancelled.status()).isEqualTo(RoundStatus.CANCELLED);
        assertThat(cancelled.shardsReleased()).isTrue();
        assertThat(book.pool()).extracting(PooledShard::shardId).containsExactly("s1");
        assertThat(book.roundOf("s1")).isEmpty();
        assertThatThrownBy(() -> book.cancel(round.id(), T0)).isInstanceOf(IllegalStateException.class);
        Round next = book.planIfDue(T0.plusSeconds(6), false).round().orElseThrow();
        assertThat(next.id()).isEqualTo("round-000002");
        assertThat(next.plan().shards()).extracting(PooledShard::shardId).containsExactly("s1");
    }

    @Test
    void theStateMachineRefusesIllegalMoves() {
        RoundBook book = book();
        book.offer(at("s1", 1200, 0, 0));
        Round round = planned(book);
        assertThatThrownBy(() -> round.toBuilder().status(RoundStatus.RUNNING))
                .hasMessageContaining("cannot move from PLANNED to RUNNING");
        assertThat(RoundStatus.SUCCEEDED.next()).isEmpty();
        assertThat(RoundStatus.RUNNING.canMoveTo(RoundStatus.PLANNED)).isTrue();
    }

    @Test
    void aRestoredBookKnowsWhichShardsAreTakenAndContinuesNumbering() {
        RoundBook first = book();
        first.offer(at("s1", 1200, 0, 0));
        Round r1 = first.stamp(planned(first).id()); // each persisted state gets the next revision
        first.dispatched(r1.id(), "e", T0);
        first.stamp(r1.id());
        first.ended(r1.id(), 1, new AttemptOutcome.Succeeded("u1", 1, 1.0, 0.9, 5, Map.of()), T0);
        Round r1done = first.stamp(r1.id());
        first.offer(at("s2", 1200, 1, 0));
        Round r2 = first.stamp(planned(first).id());
        first.cancel(r2.id(), T0);
        Round r2cancelled = first.stamp(r2.id());

        RoundBook restored = book();
        restored.restore(r2cancelled);
        restored.restore(r1done);
        restored.restore(r1); // an older revision of round 1 does not win
        assertThat(restored.round(r1.id()).orElseThrow().status()).isEqualTo(RoundStatus.SUCCEEDED);
        assertThat(restored.nextRoundNumber()).isEqualTo(3);
        assertThat(restored.offer(at("s1", 1200, 0, 0))).isEqualTo(RoundBook.Offer.IN_ROUND);
        // s2 came back from the cancelled round: it is pooled already, from the rounds topic
        assertThat(restored.pool()).extracting(PooledShard::shardId).containsExactly("s2");
        assertThat(restored.offer(at("s2", 1200, 1, 0))).isEqualTo(RoundBook.Offer.DUPLICATE);
        assertThat(restored.requiredTokenizer()).isEqualTo(TOKENIZER_A);
    }

    @Test
    void offsetsAreNeverCommittedPastAShardOnlyItsAnnouncementKeeps() {
        RoundBook book = book();
        book.offer(at("a", 1200, 0, 3));
        book.offer(shard("other", TOKENIZER_B, Map.of("en", 50L), T0.plusSeconds(4), 1, 4));
        planned(book); // takes a
        book.offer(at("b", 10, 0, 5));
        assertThat(book.committableOffsets(Map.of(0, 9L, 1, 9L, 2, 9L)))
                .containsEntry(0, 5L) // b waits in the pool
                .containsEntry(1, 4L) // the shard of another tokenizer is kept aside, not dropped
                .containsEntry(2, 9L);
    }

    @Test
    void releasedShardsDoNotPinOffsets() {
        RoundBook book = book();
        book.offer(at("a", 1200, 0, 3));
        Round round = planned(book);
        book.cancel(round.id(), T0);
        assertThat(book.pool()).hasSize(1);
        assertThat(book.committableOffsets(Map.of(0, 9L))).containsEntry(0, 9L);
    }

    @Test
    void theConfiguredTokenizerDecidesWhichShardsAreMixed() {
        RoundPolicy policy = new RoundPolicy(new RoundPolicy.Settings(1000, Duration.ofMinutes(10), 100, 0));
        RoundBook book = new RoundBook(policy, RoundPlannerTest.planner(RoundPlannerTest.training(0),
                Optional.empty()), new RoundBook.Retry(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                Optional.of(TOKENIZER_B), Optional.empty());
        book.offer(at("a", 5000, 0, 0));
        assertThat(book.planIfDue(T0, false).round()).isEmpty();
        assertThat(book.aside()).extracting(AsideShard::reason).containsExactly(AsideShard.TOKENIZER_MISMATCH);
        assertThat(List.of(book.requiredTokenizer())).containsExactly(TOKENIZER_B);
    }
}
