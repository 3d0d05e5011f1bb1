package io.mmedstream.filter.dedup;

import java.util.Objects;

/**
 * The exact-dedup state of one accepted document: which submission was accepted first under its doc_id. One record
 * per accepted document on the exact changelog ({@link DedupSettings#exactTopic()}), keyed by doc_id, in the
 * partition of mmed.docs.ingested.v1 the document was read from.
 *
 * @param docId             the doc_id (the hash of the normalised text)
 * @param ingestedEventId   event_id of the DocumentIngested that was accepted
 * @param partition         its partition of mmed.docs.ingested.v1 (also this record's partition)
 * @param offset            its offset there
 * @param originTopic       topic of the submission it came from (DocumentIngested.origin)
 * @param originPartition   partition of that submission
 * @param originOffset      offset of that submission
 * @param source            the submitter's source name
 * @param acceptedAtMillis  when the filter accepted it (epoch milliseconds)
 * @param instanceId        the filter instance that accepted it
 */
public record ExactEntry(String docId, String ingestedEventId, int partition, long offset, String originTopic,
        int originPartition, long originOffset, String source, long acceptedAtMillis, String instanceId) {

    public ExactEntry {
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(ingestedEventId, "ingestedEventId");
        originTopic = originTopic == null ? "" : originTopic;
        source = source == null ? "" : source;
        instanceId = instanceId == null ? "" : instanceId;
    }
}
