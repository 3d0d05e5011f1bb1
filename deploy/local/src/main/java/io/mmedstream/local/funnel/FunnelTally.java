package io.mmedstream.local.funnel;

import java.util.HashMap;
import java.util.Map;

import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.ShardReady;

/**
 * Adds up the pipeline's events into {@link FunnelCounts}. Not thread-safe: one reader feeds it.
 */
public final class FunnelTally {

    /** Reason recorded for an event that could not be read (it is still counted). */
    public static final String UNREADABLE = "unreadable_event";

    private long submitted;
    private long ingested;
    private final Map<String, Long> rejected = new HashMap<>();
    private long accepted;
    private final Map<String, Long> dropped = new HashMap<>();
    private long shards;
    private long shardDocuments;
    private long shardTokens;
    private final Map<String, Long> tokensByLang = new HashMap<>();
    private final Map<String, Long> documentsByLang = new HashMap<>();
    private final Map<String, Long> droppedByReasonAndLang = new HashMap<>();

    public void submitted() {
        submitted++;
    }

    public void ingested() {
        ingested++;
    }

    public void rejected(DocumentRejected event) {
        rejected.merge(event.getReason(), 1L, Long::sum);
    }

    /** A rejection whose event could not be decoded. */
    public void rejectedUnreadable() {
        rejected.merge(UNREADABLE, 1L, Long::sum);
    }

    public void accepted() {
        accepted++;
    }

    /** Counts a drop under its deciding reason, the first of its reasons. */
    public void dropped(DocumentDropped event) {
        String reason = event.getReasons().isEmpty() ? "unspecified" : event.getReasons().get(0);
        dropped.merge(reason, 1L, Long::sum);
        String lang = event.getLang() == null ? "-" : event.getLang();
        droppedByReasonAndLang.merge(reason + "/" + lang, 1L, Long::sum);
    }

    /** Counts an ingested record the filter dead-lettered, as a drop with reason {@code dead_letter:<reason>}. */
    public void deadLettered(String reason) {
        dropped.merge("dead_letter:" + reason, 1L, Long::sum);
    }

    public void droppedUnreadable() {
        dropped.merge(UNREADABLE, 1L, Long::sum);
    }

    public void shard(ShardReady event) {
        shards++;
        shardDocuments += event.getDocumentCount();
        shardTokens += event.getTokenCount();
        event.getTokensPerLang().forEach((lang, n) -> tokensByLang.merge(lang, n, Long::sum));
        event.getDocsPerLang().forEach((lang, n) -> documentsByLang.merge(lang, n.longValue(), Long::sum));
    }

    public FunnelCounts snapshot() {
        return new FunnelCounts(submitted, ingested, rejected, accepted, dropped, shards, shardDocuments, shardTokens,
                tokensByLang, documentsByLang, droppedByReasonAndLang);
    }
}
