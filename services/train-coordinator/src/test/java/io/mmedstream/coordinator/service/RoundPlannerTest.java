package io.mmedstream.coordinator.service;

import static io.mmedstream.coordinator.testing.TestShards.TOKENIZER_A;
import static io.mmedstream.coordinator.testing.TestShards.shard;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.domain.Trigger;

class RoundPlannerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static RoundPlanner.Training training(int maxSteps) {
        return new RoundPlanner.Training(1.0, 1, maxSteps, 2, 4, 2e-5, 1e-3, 50, 0, List.of("--compile"), 3);
    }

    static RoundPlanner planner(RoundPlanner.Training training, Optional<String> base) {
        LanguageMixer mixer = new LanguageMixer(new LanguageMixer.Settings(LanguageMixer.Mode.WEIGHTS,
                LanguageMixer.MMEDC_TOKENS, 3, 1));
        return new RoundPlanner(training, mixer, new RoundPlanner.ModelSource(base, s -> "{\"vocab_size\":7}"),
                "local", 2, id -> "file:///ckpt/" + id);
    }

    @Test
    void stepsCoverTheRoundsTokensOnceWithTheGlobalBatch() {
        // 2 micro x 4 accum x 2 processes x seq 64 = 1024 tokens per step; 10000 tokens -> 10 steps
        List<PooledShard> shards = List.of(shard("s1", 6000, "en", T0), shard("s2", 4000, "zh", T0));
        RoundPlan plan = planner(training(0), Optional.empty()).plan(7, Trigger.THRESHOLD, T0, shards, null).plan();
        assertThat(plan.roundId()).isEqualTo("round-000007");
        assertThat(plan.tokensPerStep()).isEqualTo(1024);
        assertThat(plan.totalSteps()).isEqualTo(10);
        assertThat(plan.seqLen()).isEqualTo(64);
        assertThat(plan.tokenCount()).isEqualTo(10_000);
        assertThat(plan.tokensPerLang()).containsEntry("en", 6000L).containsEntry("zh", 4000L);
        assertThat(plan.languageWeights()).containsOnlyKeys("en", "zh");
        assertThat(plan.tokenizerSha256()).isEqualTo(TOKENIZER_A);
        assertThat(plan.outputUri()).isEqualTo("file:///ckpt/round-000007");
        assertThat(plan.dispatcher()).isEqualTo("local");
        assertThat(plan.maxAttempts()).isEqualTo(3);
    }

    @Test
    void stepsAreCappedByMaxSteps() {
        List<PooledShard> shards = List.of(shard("s1", 1_000_000, "en", T0));
        assertThat(planner(training(25), Optional.empty()).plan(1, Trigger.MANUAL, T0, shards, null).plan()
                .totalSteps()).isEqualTo(25);
    }

    @Test
    void aFreshLineageGetsTheModelConfigAndTheFreshLearningRate() {
        RoundPlan plan = planner(training(0), Optional.empty())
                .plan(1, Trigger.MANUAL, T0, List.of(shard("s1", 100, "en", T0)), null).plan();
        assertThat(plan.parentCheckpointUri()).isNull();
        assertThat(plan.parentCheckpointId()).isNull();
        assertThat(plan.modelConfig()).isEqualTo("{\"vocab_size\":7}");
        assertThat(plan.totalSteps()).isEqualTo(1);
        assertThat(plan.trainerArgs()).containsSequence("--micro-batch-size", "2", "--grad-accum", "4", "--lr",
                "0.001", "--save-every", "50").containsSequence("--seed", "1").endsWith("--compile");
    }

    @Test
    void theFirstRoundContinuesTheBaseCheckpointAndLaterOnesTheirParent() {
        RoundPlanner withBase = planner(training(0), Optional.of("file:///models/internlm2"));
        RoundPlan first = withBase.plan(1, Trigger.MANUAL, T0, List.of(shard("s1", 100, "en", T0)), null).plan();
        assertThat(first.parentCheckpointId()).isEqualTo(RoundPlanner.BASE_CHECKPOINT_ID);
        assertThat(first.parentCheckpointUri()).isEqualTo("file:///models/internlm2");
        assertThat(first.modelConfig()).isNull();
        assertThat(first.trainerArgs()).containsSequence("--lr", "0.00002");
        RoundPlan second = withBase.plan(2, Trigger.MANUAL, T0, List.of(shard("s2", 100, "en", T0)),
                new RoundPlanner.Parent("round-000001-step-5", "file:///ckpt/round-000001/checkpoint-00000005"))
                .plan();
        assertThat(second.parentCheckpointId()).isEqualTo("round-000001-step-5");
        assertThat(second.parentCheckpointUri()).isEqualTo("file:///ckpt/round-000001/checkpoint-00000005");
    }

    @Test
    void noPlanWhenNoLanguageCanBeTrained() {
        RoundPlanner.PlanAttempt attempt = planner(training(0), Optional.empty()).plan(1, Trigger.MANUAL, T0,
                List.of(shard("s1", 100, "de", T0), shard("s2", 10, "en", T0)), null);
        assertThat(attempt.plan()).isNull();
        assertThat(attempt.note()).contains("de=no configured weight").contains("en=10 tokens < 64");
    }

    @Test
    void theSequenceLengthIsThatOfMostTokens() {
        List<PooledShard> shards = List.of(
                new PooledShard("a", "file:///a.json", "t", TOKENIZER_A, 128, 100, Map.of("en", 100L), T0, 0, 0),
                new PooledShard("b", "file:///b.json", "t", TOKENIZER_A, 64, 300, Map.of("en", 300L), T0, 0, 1));
        assertThat(RoundPlanner.commonSeqLen(shards)).isEqualTo(64);
    }
}
