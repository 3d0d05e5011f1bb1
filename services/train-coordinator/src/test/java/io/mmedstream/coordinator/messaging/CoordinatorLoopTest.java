package io.mmedstream.coordinator.messaging;

import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_A;
import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_B;
import static io.mmedstream.coordinator.testing.TestShards.announcement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundStatus;
import io.mmedstream.coordinator.service.FileUris;
import io.mmedstream.coordinator.testing.CoordinatorTopics;
import io.mmedstream.coordinator.testing.FakeTrainer;
import io.mmedstream.coordinator.testing.LoopHarness;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.TrainingRoundChanged;
import io.mmedstream.proto.TrainingRoundShard;
import io.mmedstream.proto.TrainingRoundState;

/**
 * The coordinator loop against the real embedded broker, with the real local dispatcher running a fake trainer
 * process. Each test has its own topics and work folder; a second harness on the same ones is the same coordinator
 * restarted.
 */
class CoordinatorLoopTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final CoordinatorTopics topics = CoordinatorTopics.create();

    @Test
    void shardsBecomeARoundWhoseCheckpointIsAnnounced() throws Exception {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults())) {
            RecordMetadata a = topics.send(topics.shards, 0, "s1",
                    announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 600, Map.of("en", 600L), 64));
            RecordMetadata b = topics.send(topics.shards, 1, "s2",
                    announcement("s2", "file:///shards/s2.json", TOKENIZER_A, 500, Map.of("fr", 500L), 64));

            CheckpointReady checkpoint = awaitCheckpoints(1).get(0).value();
            String expectedUri = FileUris.of(coordinator.checkpointsDir.resolve("round-000001/checkpoint-00000002"));
            assertThat(checkpoint.getCheckpointId()).isEqualTo("round-000001-step-2");
            assertThat(checkpoint.getUri()).isEqualTo(expectedUri);
            assertThat(checkpoint.getFormat()).isEqualTo("hf-llama-safetensors");
            assertThat(checkpoint.getRoundId()).isEqualTo("round-000001");
            assertThat(checkpoint.getParentCheckpointId()).isNull();
            assertThat(checkpoint.getStep()).isEqualTo(2);
            assertThat(checkpoint.getTokensSeen()).isEqualTo(128);
            assertThat(checkpoint.getTokensPerLang()).containsEntry("en", 100L).containsEntry("fr", 28L);
            assertThat(checkpoint.getFirstTrainLoss()).isEqualTo(5.5);
            assertThat(checkpoint.getFinalTrainLoss()).isEqualTo(4.25);
            assertThat(checkpoint.getTokenizerSha256()).isEqualTo(TOKENIZER_A);
            assertThat(checkpoint.getShardIds()).containsExactlyInAnyOrder("s1", "s2");

            List<TrainingRoundChanged> history = history("round-000001");
            assertThat(history).extracting(TrainingRoundChanged::getState).startsWith(TrainingRoundState.PLANNED,
                    TrainingRoundState.DISPATCHED).contains(TrainingRoundState.RUNNING)
                    .endsWith(TrainingRoundState.SUCCEEDED);
            assertThat(history).extracting(TrainingRoundChanged::getRevision).isSorted().doesNotHaveDuplicates();
            TrainingRoundChanged last = history.get(history.size() - 1);
            assertThat(last.getCheckpointId()).isEqualTo("round-000001-step-2");
            assertThat(last.getCheckpointUri()).isEqualTo(expectedUri);
            assertThat(last.getAttempt()).isEqualTo(1);
            assertThat(last.getTrigger()).isEqualTo("threshold");
            assertThat(last.getTokenCount()).isEqualTo(1100);
            assertThat(last.getShards()).extracting(TrainingRoundShard::getShardId).containsExactlyInAnyOrder("s1",
                    "s2");
            assertThat(last.getLoss()).isEqualTo(4.25);
            assertThat(last.getFirstLoss()).isEqualTo(5.5);
            assertThat(last.getModelConfig()).isEqualTo("{}");

            // what the trainer was given
            Path dir = coordinator.roundDir("round-000001");
            JsonNode manifest = new ObjectMapper().readTree(dir.resolve("round.json").toFile());
            assertThat(manifest.get("version").asInt()).isEqualTo(1);
            assertThat(manifest.get("round_id").asText()).isEqualTo("round-000001");
            List<String> shardPaths = new ArrayList<>();
            manifest.get("shards").forEach(n -> shardPaths.add(n.asText()));
            assertThat(shardPaths).containsExactlyInAnyOrder("/shards/s1.json", "/shards/s2.json");
            assertThat(manifest.get("steps").asInt()).isEqualTo(last.getTotalSteps());
            assertThat(manifest.get("language_weights").has("en")).isTrue();
            assertThat(manifest.get("language_weights").has("fr")).isTrue();
            assertThat(FakeTrainer.invocations(dir)).singleElement().satisfies(line -> assertThat(line)
                    .contains("--manifest " + dir.resolve("round.json"))
                    .contains("--output " + coordinator.checkpointsDir.resolve("round-000001"))
                    .contains("--resume").contains("--config " + dir.resolve("model-config.json")));

            // the announcements' offsets were committed with the round
            assertThat(topics.committedShardOffsets()).containsEntry(0, a.offset() + 1)
                    .containsEntry(1, b.offset() + 1);
            assertThat(topics.topicConfig(topics.rounds, "cleanup.policy")).isEqualTo("compact");
            assertThat(topics.topicConfig(topics.checkpoints, "retention.ms")).isEqualTo("-1");
        }
    }

    @Test
    void aRestartFollowsTheRunningRoundAndNeverDispatchesItTwice() {
        LoopHarness first = new LoopHarness(topics, root, FakeTrainer.Mode.RESUMABLE, LoopHarness.Options.defaults());
        topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));
        await().atMost(TIMEOUT).until(() -> latest("round-000001").map(r -> r.getLastCheckpointUri() != null)
                .orElse(false));
        first.crash(); // the trainer keeps running, as after a kill -9 of the coordinator
        Path dir = first.roundDir("round-000001");
        long orphan = pid(dir);
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

        try (LoopHarness second = new LoopHarness(topics, root, FakeTrainer.Mode.RESUMABLE,
                LoopHarness.Options.defaults())) {
            CheckpointReady checkpoint = awaitCheckpoints(1).get(0).value();
            assertThat(checkpoint.getCheckpointId()).isEqualTo("round-000001-step-2");
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            // the same attempt was started again (it resumed from checkpoint 1); no second round, no attempt 2
            assertThat(FakeTrainer.invocations(dir)).hasSize(2);
            List<TrainingRoundChanged> all = rounds();
            assertThat(all).extracting(TrainingRoundChanged::getRoundId).containsOnly("round-000001");
            assertThat(all).extracting(TrainingRoundChanged::getAttempt).containsOnly(0, 1);
            assertThat(all).filteredOn(r -> r.getState() == TrainingRoundState.DISPATCHED).hasSize(1);
            assertThat(all.get(all.size() - 1).getState()).isEqualTo(TrainingRoundState.SUCCEEDED);
        }
        // a third start finds nothing to do
        try (LoopHarness third = new LoopHarness(topics, root, FakeTrainer.Mode.RESUMABLE,
                LoopHarness.Options.defaults())) {
            await().atMost(TIMEOUT).until(() -> third.loop.status().state() == CoordinatorLoop.State.RUNNING);
            await().during(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> rounds().stream()
                    .map(TrainingRoundChanged::getRoundId).distinct().count() == 1
                    && topics.readAll(topics.checkpoints, CheckpointReady.class).size() == 1);
            assertThat(FakeTrainer.invocations(dir)).hasSize(2);
        }
    }

    @Test
    void duplicateAnnouncementsAndRestartsNeverPutAShardInTwoRounds() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults())) {
            var s1 = announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200, Map.of("en", 1200L), 64);
            topics.send(topics.shards, 0, "s1", s1);
            topics.send(topics.shards, 2, "s1", s1); // announced twice
            awaitCheckpoints(1);
            topics.send(topics.shards, 1, "s1", s1); // and again after its round
            topics.send(topics.shards, 1, "s2", announcement("s2", "file:///shards/s2.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            awaitCheckpoints(2);
        }
        try (LoopHarness restarted = new LoopHarness(topics, root, FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults())) {
            await().atMost(TIMEOUT).until(() -> restarted.loop.status().state() == CoordinatorLoop.State.RUNNING);
            await().during(Duration.ofSeconds(2)).atMost(TIMEOUT)
                    .until(() -> topics.readAll(topics.checkpoints, CheckpointReady.class).size() == 2);
        }
        Map<String, TrainingRoundChanged> byRound = rounds().stream().collect(Collectors.toMap(
                TrainingRoundChanged::getRoundId, r -> r, (x, y) -> y.getRevision() > x.getRevision() ? y : x));
        assertThat(byRound).containsOnlyKeys("round-000001", "round-000002");
        assertThat(byRound.get("round-000001").getShards()).extracting(TrainingRoundShard::getShardId)
                .containsExactly("s1");
        assertThat(byRound.get("round-000002").getShards()).extracting(TrainingRoundShard::getShardId)
                .containsExactly("s2");
        assertThat(byRound.get("round-000002").getParentCheckpointId()).isEqualTo("round-000001-step-2");
        assertThat(byRound.get("round-000002").getModelConfig()).isNull();
    }

    @Test
    void pooledAndKeptAsideShardsSurviveARestartAndPoisonRecordsAreSkipped() {
        RecordMetadata poison;
        RecordMetadata b1;
        RecordMetadata c1;
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                LoopHarness.Options.defaults().withMinNewTokens(1_000_000))) {
            poison = topics.send(topics.shards, 2, "junk", null);
            topics.sendRaw(topics.shards, 2, "junk", new byte[] {1, 2, 3});
            c1 = topics.send(topics.shards, 1, "c1", announcement("c1", "file:///shards/c1.json", TOKENIZER_B, 5000,
                    Map.of("en", 5000L), 64));
            b1 = topics.send(topics.shards, 0, "b1", announcement("b1", "file:///shards/b1.json", TOKENIZER_A, 300,
                    Map.of("en", 300L), 64));
            // the oldest shard (c1) decides the tokenizer of a first round; b1 is the one kept aside then
            await().atMost(TIMEOUT).until(() -> coordinator.loop.snapshot().pool().size()
                    + coordinator.loop.snapshot().aside().size() == 2);
            Round round = coordinator.loop.triggerNow().join();
            assertThat(round.plan().shards()).extracting(PooledShard::shardId).containsExactly("c1");
            await().atMost(TIMEOUT).until(() -> latest(round.id()).map(r -> r.getState()
                    == TrainingRoundState.RUNNING).orElse(false));
            // b1 is kept aside and pins partition 0; c1 is in the round; the poison records are passed
            assertThat(topics.committedShardOffsets()).containsEntry(0, b1.offset()).containsEntry(1, c1.offset() + 1)
                    .containsEntry(2, poison.offset() + 2);
            Round cancelled = coordinator.loop.cancel(round.id()).join();
            assertThat(cancelled.status()).isEqualTo(RoundStatus.CANCELLED);
            assertThat(cancelled.shardsReleased()).isTrue();
        }
        try (LoopHarness restarted = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                LoopHarness.Options.defaults().withMinNewTokens(1_000_000))) {
            // c1 is back from the cancelled round (rounds topic), b1 from its announcement (pinned offset)
            await().atMost(TIMEOUT).untilAsserted(() -> {
                CoordinatorLoop.Snapshot s = restarted.loop.snapshot();
                Set<String> all = new HashSet<>();
                s.pool().forEach(p -> all.add(p.shardId()));
                s.aside().forEach(a -> all.add(a.shard().shardId()));
                assertThat(all).containsExactlyInAnyOrder("b1", "c1");
                assertThat(s.aside()).extracting(AsideShard::reason).containsOnly(AsideShard.TOKENIZER_MISMATCH);
            });
            Round second = restarted.loop.triggerNow().join();
            assertThat(second.id()).isEqualTo("round-000002");
            assertThat(second.plan().shards()).extracting(PooledShard::shardId).containsExactly("c1");
            restarted.loop.cancel(second.id()).join();
        }
    }

    @Test
    void aFailedTrainerIsRetriedThenTheRoundFailsWithItsReason() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.RETRIABLE,
                LoopHarness.Options.defaults().withMaxAttempts(2))) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            TrainingRoundChanged failed = awaitState("round-000001", TrainingRoundState.FAILED);
            assertThat(failed.getAttempt()).isEqualTo(2);
            assertThat(failed.getFailureReason()).isEqualTo("io");
            assertThat(failed.getFailureMessage()).isEqualTo("gave up after 2 attempts: disk full");
            assertThat(FakeTrainer.invocations(coordinator.roundDir("round-000001"))).hasSize(2);
            // between the attempts the round went back to PLANNED with the reason and a time to retry at
            assertThat(history("round-000001")).filteredOn(r -> r.getState() == TrainingRoundState.PLANNED
                    && r.getAttempt() == 1).singleElement().satisfies(r -> {
                        assertThat(r.getFailureReason()).isEqualTo("io");
                        assertThat(r.getNotBefore()).isNotNull();
                    });
            assertThat(topics.readAll(topics.checkpoints, CheckpointReady.class)).isEmpty();
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(coordinator.loop.snapshot().aside())
                    .singleElement().extracting(AsideShard::reason).isEqualTo(AsideShard.ROUND_FAILED));
        }
    }

    @Test
    void aPermanentFailureFailsTheRoundWithoutRetry() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.PERMANENT,
                LoopHarness.Options.defaults())) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            TrainingRoundChanged failed = awaitState("round-000001", TrainingRoundState.FAILED);
            assertThat(failed.getAttempt()).isEqualTo(1);
            assertThat(failed.getFailureReason()).isEqualTo("bad_data");
            assertThat(failed.getFailureMessage()).isEqualTo("shard s1 is broken");
            assertThat(FakeTrainer.invocations(coordinator.roundDir("round-000001"))).hasSize(1);
        }
    }

    @Test
    void aCrashWithoutAnErrorLineIsReportedWithItsExitCodeAndStderr() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.CRASH,
                LoopHarness.Options.defaults().withMaxAttempts(1))) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            TrainingRoundChanged failed = awaitState("round-000001", TrainingRoundState.FAILED);
            assertThat(failed.getFailureReason()).isEqualTo("exit_3");
            assertThat(failed.getFailureMessage()).contains("exited with 3").contains("Traceback");
        }
    }

    @Test
    void aHungTrainerIsStoppedAsStalled() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                LoopHarness.Options.defaults().withMaxAttempts(1).withStallTimeout(Duration.ofSeconds(2)))) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            TrainingRoundChanged failed = awaitState("round-000001", TrainingRoundState.FAILED);
            assertThat(failed.getFailureReason()).isEqualTo("stalled");
            assertThat(failed.getFailureMessage()).contains("no progress for");
            long pid = pid(coordinator.roundDir("round-000001"));
            await().atMost(TIMEOUT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void cancellingStopsTheTrainerAndReturnsTheShardsToThePool() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                LoopHarness.Options.defaults())) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            awaitState("round-000001", TrainingRoundState.RUNNING);
            long pid = pid(coordinator.roundDir("round-000001"));
            Round cancelled = coordinator.loop.cancel("round-000001").join();
            assertThat(cancelled.status()).isEqualTo(RoundStatus.CANCELLED);
            await().atMost(TIMEOUT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            assertThat(latest("round-000001").orElseThrow().getShardsReleased()).isTrue();
            // the shard is back and, with 1200 >= 1000 new tokens, makes the next round at once
            TrainingRoundChanged next = awaitState("round-000002", TrainingRoundState.RUNNING);
            assertThat(next.getShards()).extracting(TrainingRoundShard::getShardId).containsExactly("s1");
            coordinator.loop.cancel("round-000002").join();
        }
    }

    @Test
    void aDispatcherOutageLongerThanTheAttemptsIsWaitedOutWithoutUsingUpAnAttempt() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults().withMaxAttempts(1).withUnavailableStarts(4))) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            TrainingRoundChanged succeeded = awaitState("round-000001", TrainingRoundState.SUCCEEDED);
            assertThat(succeeded.getAttempt()).isEqualTo(1);
            assertThat(coordinator.unavailable.refused("round-000001")).isEqualTo(4);
            assertThat(FakeTrainer.invocations(coordinator.roundDir("round-000001"))).hasSize(1);
            // the refused starts wrote nothing: no way back to PLANNED, no failure, no second attempt
            List<TrainingRoundChanged> history = history("round-000001");
            assertThat(history).extracting(TrainingRoundChanged::getState)
                    .containsOnlyOnce(TrainingRoundState.PLANNED, TrainingRoundState.DISPATCHED);
            assertThat(history).extracting(TrainingRoundChanged::getAttempt).containsOnly(0, 1);
            assertThat(history).extracting(TrainingRoundChanged::getFailureReason).containsOnlyNulls();
            assertThat(coordinator.registry.get("mmed.train.dispatch.retries").tag("reason", "http_503").counter()
                    .count()).isEqualTo(4.0);
        }
    }

    @Test
    void cancellingARoundWhoseDispatcherIsUnavailableStopsTryingToStartIt() {
        try (LoopHarness coordinator = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                LoopHarness.Options.defaults().withUnavailableStarts(Integer.MAX_VALUE))) {
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            await().atMost(TIMEOUT).until(() -> coordinator.unavailable.refused("round-000001") >= 3);
            assertThat(latest("round-000001").orElseThrow()).satisfies(r -> {
                assertThat(r.getState()).isEqualTo(TrainingRoundState.DISPATCHED);
                assertThat(r.getAttempt()).isEqualTo(1);
            });
            // the admin API's view shows what the round waits for
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(coordinator.loop.snapshot().dispatchWaits())
                    .hasEntrySatisfying("round-000001", w -> {
                        assertThat(w.attempt()).isEqualTo(1);
                        assertThat(w.tries()).isGreaterThanOrEqualTo(3);
                        assertThat(w.reason()).isEqualTo("http_503");
                        assertThat(w.since()).isNotNull();
                    }));

            Round cancelled = coordinator.loop.cancel("round-000001").join();
            assertThat(cancelled.status()).isEqualTo(RoundStatus.CANCELLED);
            assertThat(cancelled.attempt()).isEqualTo(1);
            // a start under way when the cancel was committed may still be refused; none follows it
            await().pollDelay(Duration.ofMillis(500)).atMost(TIMEOUT).until(() -> true);
            int refused = coordinator.unavailable.refused("round-000001");
            await().during(Duration.ofSeconds(2)).atMost(TIMEOUT)
                    .until(() -> coordinator.unavailable.refused("round-000001") == refused);
            assertThat(FakeTrainer.invocations(coordinator.roundDir("round-000001"))).isEmpty();
            await().atMost(TIMEOUT).until(() -> !coordinator.loop.snapshot().dispatchWaits()
                    .containsKey("round-000001"));
            // the shard went back to the pool and makes the next round, which waits for the dispatcher too
            awaitState("round-000002", TrainingRoundState.DISPATCHED);
            coordinator.loop.cancel("round-000002").join();
        }
    }

    @Test
    void aCoordinatorRestartedDuringADispatcherOutageStartsTheSameAttemptOnceItIsBack() {
        LoopHarness first = new LoopHarness(topics, root, FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults().withMaxAttempts(1).withUnavailableStarts(Integer.MAX_VALUE));
        topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));
        await().atMost(TIMEOUT).until(() -> first.unavailable.refused("round-000001") >= 2);
        first.crash();

        try (LoopHarness second = new LoopHarness(topics, root, FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults().withMaxAttempts(1).withUnavailableStarts(2))) {
            assertThat(awaitCheckpoints(1).get(0).value().getCheckpointId()).isEqualTo("round-000001-step-2");
            assertThat(second.unavailable.refused("round-000001")).isEqualTo(2);
            assertThat(FakeTrainer.invocations(second.roundDir("round-000001"))).hasSize(1);
            assertOneDispatchPerRound("round-000001");
            assertThat(history("round-000001")).extracting(TrainingRoundChanged::getAttempt).containsOnly(0, 1);
            assertThat(latest("round-000001").orElseThrow().getState()).isEqualTo(TrainingRoundState.SUCCEEDED);
        } finally {
            first.close();
        }
    }

    @Test
    void anAttemptStartedAfterAnOutageLongerThanItsTimeoutIsTimedFromItsStartAfterARestart() {
        // the outage outlasts the attempt-timeout; then the attempt starts, runs, and the coordinator restarts
        Duration timeout = Duration.ofSeconds(5);
        LoopHarness.Options options = LoopHarness.Options.defaults().withMaxAttempts(1).withAttemptTimeout(timeout);
        LoopHarness first = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                options.withUnavailableStarts(Integer.MAX_VALUE));
        try {
            Instant dispatchedAt = dispatchIntoAnOutageLongerThan(first, timeout);
            Instant recovered = Instant.now();
            first.unavailable.recover();
            TrainingRoundChanged running = awaitRecorded("round-000001", TrainingRoundState.RUNNING);
            // the RUNNING record holds when the attempt did start
            assertThat(running.getDispatchedAt()).isAfter(dispatchedAt.plus(timeout))
                    .isAfter(recovered.minusSeconds(1));
            first.crash(); // the trainer keeps running

            try (LoopHarness second = new LoopHarness(topics, root, FakeTrainer.Mode.HANG, options)) {
                // it follows the attempt (the local dispatcher starts it again), and stops it only once the
                // attempt-timeout has passed since the attempt did start: not at once, as a time counted from the
                // DISPATCHED record would
                TrainingRoundChanged failed = awaitState("round-000001", TrainingRoundState.FAILED);
                assertThat(failed.getFailureReason()).isEqualTo("timed_out");
                assertThat(failed.getAttempt()).isEqualTo(1);
                assertThat(failed.getDispatchedAt()).isEqualTo(running.getDispatchedAt());
                assertThat(failed.getFinishedAt()).isAfter(running.getDispatchedAt().plus(timeout));
                assertThat(FakeTrainer.invocations(second.roundDir("round-000001"))).hasSize(2);
                assertOneDispatchPerRound("round-000001");
            }
        } finally {
            first.close();
        }
    }

    @ParameterizedTest(name = "refused again after the restart: {0}")
    @ValueSource(ints = {0, 2})
    void anAttemptThatNeverStartedBeforeARestartIsTimedFromWhenItDoesStart(int refusedAfterRestart) {
        // the coordinator restarts during an outage longer than the attempt-timeout; the new one finds the outage
        // over (0), or waits out its end (2): either way the round has not run yet and gets all of its time
        Duration timeout = Duration.ofSeconds(5);
        LoopHarness.Options options = LoopHarness.Options.defaults().withMaxAttempts(1).withAttemptTimeout(timeout);
        LoopHarness first = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                options.withUnavailableStarts(Integer.MAX_VALUE));
        try {
            Instant dispatchedAt = dispatchIntoAnOutageLongerThan(first, timeout);
            first.crash();
            Instant restarted = Instant.now();

            try (LoopHarness second = new LoopHarness(topics, root, FakeTrainer.Mode.HANG,
                    options.withUnavailableStarts(refusedAfterRestart))) {
                TrainingRoundChanged running = awaitRecorded("round-000001", TrainingRoundState.RUNNING);
                assertThat(second.unavailable.refused("round-000001")).isEqualTo(refusedAfterRestart);
                assertThat(running.getDispatchedAt()).isAfter(restarted).isAfter(dispatchedAt.plus(timeout));
                TrainingRoundChanged failed = awaitState("round-000001", TrainingRoundState.FAILED);
                assertThat(failed.getFailureReason()).isEqualTo("timed_out");
                assertThat(failed.getAttempt()).isEqualTo(1);
                assertThat(failed.getFinishedAt()).isAfter(running.getDispatchedAt().plus(timeout));
                assertThat(FakeTrainer.invocations(second.roundDir("round-000001"))).hasSize(1);
                assertOneDispatchPerRound("round-000001");
            }
        } finally {
            first.close();
        }
    }

    @Test
    void aStandbyNeitherDispatchesNorFencesTheActiveCoordinatorAndTakesOverWhenItStops() {
        LoopHarness first = waitRunning(new LoopHarness(topics, root.resolve("a"), FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults()));
        try (LoopHarness second = new LoopHarness(topics, root.resolve("b"), FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults());
                StateRecorder firstStates = new StateRecorder(first.loop);
                StateRecorder secondStates = new StateRecorder(second.loop)) {
            await().atMost(TIMEOUT).until(() -> second.loop.status().state() == CoordinatorLoop.State.STANDBY);
            topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            awaitCheckpoints(1);
            await().during(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> first.loop.status().state()
                    == CoordinatorLoop.State.RUNNING && second.loop.status().state() == CoordinatorLoop.State.STANDBY);
            // the active one ran the round once and was never fenced or disturbed; the standby did nothing
            assertThat(firstStates.seen()).containsOnly(CoordinatorLoop.State.RUNNING);
            assertThat(secondStates.seen()).doesNotContain(CoordinatorLoop.State.REBUILDING,
                    CoordinatorLoop.State.RUNNING);
            assertThat(FakeTrainer.invocations(first.roundDir("round-000001"))).hasSize(1);
            assertThat(FakeTrainer.invocations(second.roundDir("round-000001"))).isEmpty();

            // the active one stops: the standby is elected and carries on from the rounds topic
            first.close();
            await().atMost(TIMEOUT).until(() -> second.loop.status().state() == CoordinatorLoop.State.RUNNING);
            topics.send(topics.shards, 1, "s2", announcement("s2", "file:///shards/s2.json", TOKENIZER_A, 1200,
                    Map.of("en", 1200L), 64));
            awaitCheckpoints(2);
            assertThat(FakeTrainer.invocations(second.roundDir("round-000002"))).hasSize(1);
            assertThat(FakeTrainer.invocations(first.roundDir("round-000002"))).isEmpty();
            assertThat(FakeTrainer.invocations(second.roundDir("round-000001"))).isEmpty();
            assertOneDispatchPerRound("round-000001", "round-000002");
            assertThat(latest("round-000002").orElseThrow().getParentCheckpointId())
                    .isEqualTo("round-000001-step-2");
        } finally {
            first.close();
        }
    }

    @Test
    void aStalledLeaderStepsDownWithoutFencingItsSuccessorBack() {
        // The first coordinator's thread stalls (as in a long GC pause) for longer than max.poll.interval.ms: the
        // group drops it, the standby is elected and fences its producer. When the first wakes up it has an
        // announcement to plan a round from; it must step down instead of writing, or fencing the new leader back.
        LoopHarness first = waitRunning(new LoopHarness(topics, root.resolve("a"), FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults().withKafka("max.poll.interval.ms", 3000)));
        try (LoopHarness second = new LoopHarness(topics, root.resolve("b"), FakeTrainer.Mode.SUCCEED,
                LoopHarness.Options.defaults())) {
            await().atMost(TIMEOUT).until(() -> second.loop.status().state() == CoordinatorLoop.State.STANDBY);
            first.clock.stall();
            await().atMost(TIMEOUT).until(first.clock::blocked);
            await().atMost(TIMEOUT).until(() -> second.loop.status().state() == CoordinatorLoop.State.RUNNING);
            try (StateRecorder secondStates = new StateRecorder(second.loop)) {
                topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                        Map.of("en", 1200L), 64));
                awaitCheckpoints(1);
                first.clock.resume(); // it reads s1 at its next poll, with a round due
                await().atMost(TIMEOUT).until(() -> first.loop.status().state() == CoordinatorLoop.State.STANDBY);
                await().during(Duration.ofSeconds(3)).atMost(TIMEOUT).until(() -> first.loop.status().state()
                        == CoordinatorLoop.State.STANDBY && second.loop.status().state()
                        == CoordinatorLoop.State.RUNNING);
                assertThat(secondStates.seen()).containsOnly(CoordinatorLoop.State.RUNNING);
            }
            assertThat(FakeTrainer.invocations(first.roundDir("round-000001"))).isEmpty();
            assertThat(FakeTrainer.invocations(second.roundDir("round-000001"))).hasSize(1);
            assertOneDispatchPerRound("round-000001");
            assertThat(topics.readAll(topics.checkpoints, CheckpointReady.class)).hasSize(1);
            // the standby's API refuses changes
            assertThat(first.loop.triggerNow()).isCompletedExceptionally();
        } finally {
            first.close();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static LoopHarness waitRunning(LoopHarness harness) {
        await().atMost(TIMEOUT).until(() -> harness.loop.status().state() == CoordinatorLoop.State.RUNNING);
        return harness;
    }

    /** Every round id given has exactly one DISPATCHED record, and no other round exists. */
    private void assertOneDispatchPerRound(String... roundIds) {
        List<TrainingRoundChanged> all = rounds();
        assertThat(all).extracting(TrainingRoundChanged::getRoundId).containsOnly(roundIds);
        for (String id : roundIds) {
            assertThat(all).filteredOn(r -> r.getRoundId().equals(id)
                    && r.getState() == TrainingRoundState.DISPATCHED).as("DISPATCHED records of %s", id).hasSize(1);
        }
    }

    /** Records every state a coordinator loop shows, sampled every 10 ms, from its creation until closed. */
    private static final class StateRecorder implements AutoCloseable {

        private final Set<CoordinatorLoop.State> seen = ConcurrentHashMap.newKeySet();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        StateRecorder(CoordinatorLoop loop) {
            sampler.scheduleAtFixedRate(() -> seen.add(loop.status().state()), 0, 10, TimeUnit.MILLISECONDS);
        }

        Set<CoordinatorLoop.State> seen() {
            return Set.copyOf(seen);
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    private List<ConsumerRecord<String, CheckpointReady>> awaitCheckpoints(int count) {
        return await().atMost(TIMEOUT).until(() -> topics.readAll(topics.checkpoints, CheckpointReady.class),
                list -> list.size() >= count);
    }

    /**
     * Announces a shard to {@code coordinator}, whose dispatcher refuses every start, and waits until round-000001 has
     * waited out more than {@code timeout} (and at least 3 refused starts).
     *
     * @return when the round was dispatched
     */
    private Instant dispatchIntoAnOutageLongerThan(LoopHarness coordinator, Duration timeout) {
        topics.send(topics.shards, 0, "s1", announcement("s1", "file:///shards/s1.json", TOKENIZER_A, 1200,
                Map.of("en", 1200L), 64));
        Instant dispatchedAt = awaitState("round-000001", TrainingRoundState.DISPATCHED).getDispatchedAt();
        await().pollDelay(timeout.plusSeconds(1)).atMost(TIMEOUT)
                .until(() -> coordinator.unavailable.refused("round-000001") >= 3);
        return dispatchedAt;
    }

    private TrainingRoundChanged awaitState(String roundId, TrainingRoundState state) {
        return await().atMost(TIMEOUT).until(() -> latest(roundId).orElse(null),
                r -> r != null && r.getState() == state);
    }

    /** The first record of a round in {@code state}, once there is one (whatever the round's state is by then). */
    private TrainingRoundChanged awaitRecorded(String roundId, TrainingRoundState state) {
        return await().atMost(TIMEOUT).until(() -> history(roundId).stream().filter(r -> r.getState() == state)
                .findFirst().orElse(null), r -> r != null);
    }

    private List<TrainingRoundChanged> rounds() {
        return topics.readAll(topics.rounds, TrainingRoundChanged.class).stream().map(ConsumerRecord::value)
                .toList();
    }

    private List<TrainingRoundChanged> history(String roundId) {
        return rounds().stream().filter(r -> r.getRoundId().equals(roundId))
                .sorted(Comparator.comparingLong(TrainingRoundChanged::getRevision)).toList();
    }

    private Optional<TrainingRoundChanged> latest(String roundId) {
        List<TrainingRoundChanged> h = history(roundId);
        return h.isEmpty() ? Optional.empty() : Optional.of(h.get(h.size() - 1));
    }

    private static long pid(Path roundDir) {
        try {
            return Long.parseLong(Files.readAllLines(roundDir.resolve("trainer.pid")).get(0).trim());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
