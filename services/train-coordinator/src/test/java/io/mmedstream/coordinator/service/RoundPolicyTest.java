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

import org.junit.jupiter.api.Test;

import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Trigger;

class RoundPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final RoundPolicy policy = new RoundPolicy(new RoundPolicy.Settings(1000, Duration.ofMinutes(10), 300, 0));

    @Test
    void emptyPoolWaits() {
        RoundPolicy.Decision d = policy.decide(List.of(), null, T0, false);
        assertThat(d.due()).isFalse();
        assertThat(d.selected()).isEmpty();
        assertThat(d.explanation()).contains("empty");
    }

    @Test
    void roundIsDueWhenNewTokensReachTheThreshold() {
        List<PooledShard> pool = List.of(shard("s1", 600, "en", T0), shard("s2", 400, "zh", T0.plusSeconds(1)));
        RoundPolicy.Decision d = policy.decide(pool, null, T0.plusSeconds(2), false);
        assertThat(d.trigger()).isEqualTo(Trigger.THRESHOLD);
        assertThat(d.selected()).extracting(PooledShard::shardId).containsExactly("s1", "s2");
    }

    @Test
    void belowTheThresholdItWaitsUntilTheMaximumWait() {
        List<PooledShard> pool = List.of(shard("s1", 500, "en", T0));
        RoundPolicy.Decision early = policy.decide(pool, null, T0.plus(Duration.ofMinutes(9)), false);
        assertThat(early.due()).isFalse();
        assertThat(early.explanation()).contains("500 of 1000").contains("due at");
        RoundPolicy.Decision late = policy.decide(pool, null, T0.plus(Duration.ofMinutes(10)), false);
        assertThat(late.trigger()).isEqualTo(Trigger.MAX_WAIT);
        assertThat(late.selected()).hasSize(1);
    }

    @Test
    void afterTheMaximumWaitARoundStillNeedsTheMinimum() {
        List<PooledShard> pool = List.of(shard("s1", 299, "en", T0));
        RoundPolicy.Decision d = policy.decide(pool, null, T0.plus(Duration.ofHours(5)), false);
        assertThat(d.due()).isFalse();
        assertThat(d.explanation()).contains("below the minimum of 300");
    }

    @Test
    void theWaitCountsFromTheOldestShard() {
        List<PooledShard> pool = List.of(shard("young", 200, "en", T0.plus(Duration.ofMinutes(8))),
                shard("old", 200, "en", T0));
        RoundPolicy.Decision d = policy.decide(pool, null, T0.plus(Duration.ofMinutes(10)), false);
        assertThat(d.trigger()).isEqualTo(Trigger.MAX_WAIT);
        assertThat(d.selected()).extracting(PooledShard::shardId).containsExactly("old", "young");
    }

    @Test
    void manualRoundTakesWhateverThePoolHolds() {
        List<PooledShard> pool = List.of(shard("s1", 1, "en", T0));
        RoundPolicy.Decision d = policy.decide(pool, null, T0, true);
        assertThat(d.trigger()).isEqualTo(Trigger.MANUAL);
        assertThat(d.selected()).hasSize(1);
    }

    @Test
    void shardsOfAnotherTokenizerAreKeptAsideWithAReason() {
        List<PooledShard> pool = List.of(
                shard("a1", TOKENIZER_A, Map.of("en", 800L), T0, 0, 0),
                shard("b1", TOKENIZER_B, Map.of("en", 5000L), T0.plusSeconds(1), 0, 1),
                shard("a2", TOKENIZER_A, Map.of("fr", 300L), T0.plusSeconds(2), 0, 2));
        RoundPolicy.Decision d = policy.decide(pool, null, T0.plusSeconds(3), false);
        // without a lineage the oldest shard's tokenizer decides; b1's 5000 tokens do not count towards it
        assertThat(d.tokenizerSha256()).isEqualTo(TOKENIZER_A);
        assertThat(d.trigger()).isEqualTo(Trigger.THRESHOLD);
        assertThat(d.selected()).extracting(PooledShard::shardId).containsExactly("a1", "a2");
        assertThat(d.aside()).singleElement().satisfies(a -> {
            assertThat(a.shard().shardId()).isEqualTo("b1");
            assertThat(a.reason()).isEqualTo(AsideShard.TOKENIZER_MISMATCH);
            assertThat(a.detail()).contains("bbbbbbbbbbbb").contains("aaaaaaaaaaaa");
        });
    }

    @Test
    void theLineagesTokenizerWinsOverTheOldestShard() {
        List<PooledShard> pool = List.of(
                shard("a1", TOKENIZER_A, Map.of("en", 5000L), T0, 0, 0),
                shard("b1", TOKENIZER_B, Map.of("en", 100L), T0.plusSeconds(1), 0, 1));
        RoundPolicy.Decision d = policy.decide(pool, TOKENIZER_B, T0.plusSeconds(3), false);
        assertThat(d.due()).isFalse();
        assertThat(d.aside()).extracting(a -> a.shard().shardId()).containsExactly("a1");
    }

    @Test
    void aRoundTakesAtMostMaxTokensOldestFirstButAlwaysOneShard() {
        RoundPolicy capped = new RoundPolicy(new RoundPolicy.Settings(1000, Duration.ofMinutes(10), 300, 1500));
        List<PooledShard> pool = List.of(shard("s3", 700, "en", T0.plusSeconds(3)), shard("s1", 700, "en", T0),
                shard("s2", 700, "en", T0.plusSeconds(2)));
        RoundPolicy.Decision d = capped.decide(pool, null, T0.plusSeconds(4), false);
        assertThat(d.selected()).extracting(PooledShard::shardId).containsExactly("s1", "s2");
        RoundPolicy huge = new RoundPolicy(new RoundPolicy.Settings(1000, Duration.ofMinutes(10), 300, 10));
        assertThat(huge.decide(pool, null, T0.plusSeconds(4), false).selected()).extracting(PooledShard::shardId)
                .containsExactly("s1");
    }

    @Test
    void settingsRejectNonPositiveThresholds() {
        assertThatThrownBy(() -> new RoundPolicy.Settings(0, Duration.ZERO, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
