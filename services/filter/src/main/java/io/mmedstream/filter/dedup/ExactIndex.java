package io.mmedstream.filter.dedup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The accepted doc_ids, per partition of mmed.docs.ingested.v1: an in-memory cache of the exact changelog (the
 * partitions this instance owns or owned). Memory: about 0.3 KiB per document. Thread-safe.
 */
public final class ExactIndex {

    private final Map<Integer, Map<String, ExactEntry>> partitions = new ConcurrentHashMap<>();

    /** The first accepted submission of this doc_id in this partition, or {@code null}. */
    public ExactEntry get(int partition, String docId) {
        Map<String, ExactEntry> entries = partitions.get(partition);
        return entries == null ? null : entries.get(docId);
    }

    /** Records an accepted document unless its doc_id is known; the first entry wins. Returns whether it was new. */
    public boolean putIfAbsent(ExactEntry entry) {
        return partitions.computeIfAbsent(entry.partition(), p -> new ConcurrentHashMap<>())
                .putIfAbsent(entry.docId(), entry) == null;
    }

    /** Documents known, all partitions. */
    public int size() {
        return partitions.values().stream().mapToInt(Map::size).sum();
    }
}
