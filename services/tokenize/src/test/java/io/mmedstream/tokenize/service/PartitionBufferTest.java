package io.mmedstream.tokenize.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class PartitionBufferTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final ShardPolicy POLICY = new ShardPolicy(10, Duration.ofSeconds(5), Duration.ofMinutes(1));

    private static PartitionBuffer buffer(long committed) {
        return new PartitionBuffer(3, committed, POLICY, () -> new ShardBuilder("tok", "ab".repeat(32), 2, 8));
    }

    @Test
    void aShardIsDueAsSoonAsItReachesItsTargetSize() {
        PartitionBuffer buffer = buffer(0);
        buffer.add(0, "d0", "en", new int[] { 1, 2, 3, 4 }, T0); // 5 tokens with EOS
        assertThat(buffer.isFull()).isFalse();
        assertThat(buffer.isDue(T0)).isFalse();

        buffer.add(1, "d1", "en", new int[] { 1, 2, 3, 4 }, T0); // 10

        assertThat(buffer.isFull()).isTrue();
        assertThat(buffer.isDue(T0)).isTrue();
    }

    @Test
    void aNonEmptyShardIsDueWhenThePartitionWentIdle() {
        PartitionBuffer buffer = buffer(0);
        buffer.add(0, "d0", "en", new int[] { 1 }, T0);

        assertThat(buffer.isDue(T0.plusSeconds(4))).isFalse();
        assertThat(buffer.isDue(T0.plusSeconds(5))).isTrue();
    }

    @Test
    void aBusyPartitionsShardIsDueWhenItGrowsOld() {
        PartitionBuffer buffer = new PartitionBuffer(3, 0,
                new ShardPolicy(1_000, Duration.ofSeconds(5), Duration.ofMinutes(1)),
                () -> new ShardBuilder("tok", "ab".repeat(32), 2, 8));
        for (int i = 0; i <= 14; i++) { // a document every 4 s: never idle, never full
            Instant now = T0.plusSeconds(4L * i);
            buffer.add(i, "d" + i, "en", new int[] { 1 }, now);
            assertThat(buffer.isDue(now)).isFalse();
        }

        buffer.add(15, "d15", "en", new int[] { 1 }, T0.plusSeconds(60));

        assertThat(buffer.isDue(T0.plusSeconds(60))).isTrue();
    }

    @Test
    void skippedRecordsAreCoveredByTheNextCommitAndAloneAreDueWhenIdle() {
        PartitionBuffer buffer = buffer(40);
        buffer.skip(41, T0); // offset 40 was a transaction marker
        assertThat(buffer.hasUncommittedOffsets()).isTrue();
        assertThat(buffer.isDue(T0.plusSeconds(1))).isFalse();
        assertThat(buffer.isDue(T0.plusSeconds(5))).isTrue();

        buffer.add(42, "d42", "en", new int[] { 1 }, T0.plusSeconds(1));
        buffer.skip(43, T0.plusSeconds(1));

        assertThat(buffer.commitOffset()).isEqualTo(44);
        assertThat(buffer.shard().firstOffset()).isEqualTo(42);
    }

    @Test
    void committingOpensAnEmptyShardAndNothingIsDueUntilMoreIsConsumed() {
        PartitionBuffer buffer = buffer(0);
        buffer.add(0, "d0", "en", new int[] { 1 }, T0);
        buffer.add(1, "d1", "en", new int[] { 1 }, T0);

        buffer.committed();

        assertThat(buffer.committedOffset()).isEqualTo(2);
        assertThat(buffer.shard().isEmpty()).isTrue();
        assertThat(buffer.hasUncommittedOffsets()).isFalse();
        assertThat(buffer.isDue(T0.plus(Duration.ofHours(1)))).isFalse();
    }

    @Test
    void refusesAnOffsetItHasConsumedAlready() {
        PartitionBuffer buffer = buffer(10);
        assertThatThrownBy(() -> buffer.add(9, "d9", "en", new int[] { 1 }, T0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
