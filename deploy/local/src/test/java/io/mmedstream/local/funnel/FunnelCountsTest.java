package io.mmedstream.local.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class FunnelCountsTest {

    private static FunnelCounts counts(long submitted, long ingested, long rejected, long accepted, long dropped,
            long shardDocs) {
        return new FunnelCounts(submitted, ingested, rejected == 0 ? Map.of() : Map.of("blank_text", rejected),
                accepted, dropped == 0 ? Map.of() : Map.of("not_medical", dropped), shardDocs == 0 ? 0 : 1,
                shardDocs, shardDocs * 10, Map.of(), Map.of());
    }

    @Test
    void drainedOnlyWhenEverySubmissionReachedItsEnd() {
        assertThat(counts(10, 8, 2, 5, 3, 5).drained()).isTrue();
        assertThat(counts(10, 7, 2, 5, 2, 5).pendingStage()).isEqualTo("ingest");
        assertThat(counts(10, 8, 2, 5, 2, 5).pendingStage()).isEqualTo("filter");
        assertThat(counts(10, 8, 2, 5, 3, 4).pendingStage()).isEqualTo("tokenize");
        assertThat(counts(10, 8, 2, 5, 3, 5).pendingStage()).isEmpty();
    }

    @Test
    void anEmptyFunnelIsDrained() {
        assertThat(FunnelCounts.EMPTY.drained()).isTrue();
    }

    @Test
    void minusGivesWhatHappenedSinceABaseline() {
        FunnelCounts before = new FunnelCounts(10, 9, Map.of("blank_text", 1L), 6, Map.of("not_medical", 3L), 2, 6,
                600, Map.of("en", 600L), Map.of("en", 6L));
        FunnelCounts after = new FunnelCounts(15, 13, Map.of("blank_text", 1L, "too_large", 1L), 9,
                Map.of("not_medical", 4L), 3, 9, 900, Map.of("en", 700L, "fr", 200L), Map.of("en", 7L, "fr", 2L));

        FunnelCounts delta = after.minus(before);

        assertThat(delta.submitted()).isEqualTo(5);
        assertThat(delta.ingested()).isEqualTo(4);
        assertThat(delta.rejectedByReason()).as("reasons that did not change disappear")
                .containsOnly(Map.entry("too_large", 1L));
        assertThat(delta.accepted()).isEqualTo(3);
        assertThat(delta.droppedByReason()).containsOnly(Map.entry("not_medical", 1L));
        assertThat(delta.shards()).isEqualTo(1);
        assertThat(delta.shardDocuments()).isEqualTo(3);
        assertThat(delta.tokensByLang()).containsOnly(Map.entry("en", 100L), Map.entry("fr", 200L));
        assertThat(delta.drained()).isTrue();
    }
}
