package io.mmedstream.local.funnel;

import java.util.HashMap;
import java.util.Map;

/**
 * The pipeline's funnel at one moment, as its topics tell it: every submission is either ingested or rejected,
 * every ingested document either accepted or dropped, every accepted document ends up in exactly one shard.
 *
 * @param submitted records on the submission topic
 * @param ingested {@code DocumentIngested} events
 * @param rejectedByReason {@code DocumentRejected} events per reason code
 * @param accepted {@code DocumentAccepted} events
 * @param droppedByReason {@code DocumentDropped} events per deciding (first) reason code
 * @param shards {@code ShardReady} events
 * @param shardDocuments documents in those shards
 * @param shardTokens tokens in those shards, EOS included
 * @param tokensByLang tokens in shards per language
 * @param documentsByLang documents in shards per language
 * @param droppedByReasonAndLang drops per {@code reason/lang} (lang {@code -} when the filter named none)
 */
public record FunnelCounts(long submitted, long ingested, Map<String, Long> rejectedByReason, long accepted,
        Map<String, Long> droppedByReason, long shards, long shardDocuments, long shardTokens,
        Map<String, Long> tokensByLang, Map<String, Long> documentsByLang, Map<String, Long> droppedByReasonAndLang) {

    /** Nothing yet. */
    public static final FunnelCounts EMPTY = new FunnelCounts(0, 0, Map.of(), 0, Map.of(), 0, 0, 0, Map.of(), Map.of());

    /** Counts without the per-language split of drops. */
    public FunnelCounts(long submitted, long ingested, Map<String, Long> rejectedByReason, long accepted,
            Map<String, Long> droppedByReason, long shards, long shardDocuments, long shardTokens,
            Map<String, Long> tokensByLang, Map<String, Long> documentsByLang) {
        this(submitted, ingested, rejectedByReason, accepted, droppedByReason, shards, shardDocuments, shardTokens,
                tokensByLang, documentsByLang, Map.of());
    }

    public FunnelCounts {
        droppedByReasonAndLang = Map.copyOf(droppedByReasonAndLang);
        rejectedByReason = Map.copyOf(rejectedByReason);
        droppedByReason = Map.copyOf(droppedByReason);
        tokensByLang = Map.copyOf(tokensByLang);
        documentsByLang = Map.copyOf(documentsByLang);
    }

    public long rejected() {
        return sum(rejectedByReason);
    }

    public long dropped() {
        return sum(droppedByReason);
    }

    /** Every submission has been ingested or rejected. */
    public boolean ingestDrained() {
        return ingested + rejected() == submitted;
    }

    /** Every ingested document has been accepted or dropped. */
    public boolean filterDrained() {
        return accepted + dropped() == ingested;
    }

    /** Every accepted document is in a shard that has been announced. */
    public boolean tokenizeDrained() {
        return shardDocuments == accepted;
    }

    /** Every submission is accounted for at the end of the pipeline. */
    public boolean drained() {
        return ingestDrained() && filterDrained() && tokenizeDrained();
    }

    /** Where the funnel is still waiting, for a message: "ingest", "filter", "tokenize" or "" when drained. */
    public String pendingStage() {
        if (!ingestDrained()) {
            return "ingest";
        }
        if (!filterDrained()) {
            return "filter";
        }
        return tokenizeDrained() ? "" : "tokenize";
    }

    /** What happened since {@code baseline} (an earlier snapshot of the same topics). */
    public FunnelCounts minus(FunnelCounts baseline) {
        return new FunnelCounts(submitted - baseline.submitted, ingested - baseline.ingested,
                minus(rejectedByReason, baseline.rejectedByReason), accepted - baseline.accepted,
                minus(droppedByReason, baseline.droppedByReason), shards - baseline.shards,
                shardDocuments - baseline.shardDocuments, shardTokens - baseline.shardTokens,
                minus(tokensByLang, baseline.tokensByLang), minus(documentsByLang, baseline.documentsByLang),
                minus(droppedByReasonAndLang, baseline.droppedByReasonAndLang));
    }

    private static Map<String, Long> minus(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new HashMap<>(a);
        b.forEach((k, v) -> out.merge(k, -v, Long::sum));
        out.values().removeIf(v -> v == 0);
        return out;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
