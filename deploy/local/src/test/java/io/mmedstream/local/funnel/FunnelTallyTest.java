package io.mmedstream.local.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.SourcePosition;

class FunnelTallyTest {

    static DocumentRejected rejected(String reason) {
        return DocumentRejected.newBuilder().setEventId("e").setOccurredAt(Instant.EPOCH).setKey("k")
                .setReason(reason).setMessage("m").setOriginal(ByteBuffer.wrap(new byte[0])).setOriginalSize(0)
                .setOrigin(SourcePosition.newBuilder().setTopic("t").setPartition(0).setOffset(0).build()).build();
    }

    static DocumentDropped dropped(String... reasons) {
        return DocumentDropped.newBuilder().setEventId("e").setOccurredAt(Instant.EPOCH).setDocId("d")
                .setReasons(List.of(reasons)).setSource("s").setFilterVersion("v").setIngestedEventId("i").build();
    }

    static ShardReady shard(int docs, long tokens, Map<String, Long> tokensPerLang, Map<String, Integer> docsPerLang) {
        return ShardReady.newBuilder().setEventId("e").setOccurredAt(Instant.EPOCH).setShardId("s").setUri("file:/s")
                .setTokenizerName("internlm2").setTokenizerSha256("h").setSeqLen(2048).setTokenCount(tokens)
                .setDocumentCount(docs).setSequenceCount(1).setTokensPerLang(tokensPerLang)
                .setDocsPerLang(docsPerLang).setTokensSha256("h").setSourcePartition(0).setFirstOffset(0)
                .setLastOffset(docs - 1).build();
    }

    @Test
    void addsUpEveryStageOfTheFunnel() {
        FunnelTally tally = new FunnelTally();
        for (int i = 0; i < 6; i++) {
            tally.submitted();
        }
        tally.rejected(rejected("malformed_json"));
        tally.rejected(rejected("too_large"));
        tally.rejected(rejected("malformed_json"));
        tally.ingested();
        tally.ingested();
        tally.ingested();
        tally.accepted();
        tally.accepted();
        tally.dropped(dropped("not_medical", "too_short"));
        tally.shard(shard(1, 120, Map.of("en", 120L), Map.of("en", 1)));
        tally.shard(shard(1, 80, Map.of("zh", 50L, "en", 30L), Map.of("zh", 1)));

        FunnelCounts c = tally.snapshot();

        assertThat(c.submitted()).isEqualTo(6);
        assertThat(c.rejected()).isEqualTo(3);
        assertThat(c.rejectedByReason()).containsOnly(Map.entry("malformed_json", 2L), Map.entry("too_large", 1L));
        assertThat(c.ingested()).isEqualTo(3);
        assertThat(c.accepted()).isEqualTo(2);
        assertThat(c.droppedByReason()).as("a drop counts under its deciding, first reason")
                .containsOnly(Map.entry("not_medical", 1L));
        assertThat(c.shards()).isEqualTo(2);
        assertThat(c.shardDocuments()).isEqualTo(2);
        assertThat(c.shardTokens()).isEqualTo(200);
        assertThat(c.tokensByLang()).containsOnly(Map.entry("en", 150L), Map.entry("zh", 50L));
        assertThat(c.documentsByLang()).containsOnly(Map.entry("en", 1L), Map.entry("zh", 1L));
        assertThat(c.drained()).isTrue();
    }

    @Test
    void unreadableEventsStillCount() {
        FunnelTally tally = new FunnelTally();
        tally.rejectedUnreadable();
        tally.droppedUnreadable();

        assertThat(tally.snapshot().rejected()).isEqualTo(1);
        assertThat(tally.snapshot().dropped()).isEqualTo(1);
    }

    @Test
    void dropsAreSplitByLanguageUnderTheirDecidingReasonInTheTable() {
        FunnelTally tally = new FunnelTally();
        DocumentDropped ru = dropped("not_medical", "quality_repetition");
        ru.setLang("ru");
        tally.dropped(ru);
        tally.dropped(ru);
        DocumentDropped en = dropped("not_medical");
        en.setLang("en");
        tally.dropped(en);
        tally.dropped(dropped("too_short"));

        FunnelCounts counts = tally.snapshot();

        assertThat(counts.droppedByReasonAndLang())
                .containsEntry("not_medical/ru", 2L).containsEntry("not_medical/en", 1L).containsEntry("too_short/-", 1L);
        assertThat(FunnelTable.render(counts)).contains("en 1 · ru 2");
    }
}
