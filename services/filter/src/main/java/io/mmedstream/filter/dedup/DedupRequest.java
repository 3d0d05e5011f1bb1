package io.mmedstream.filter.dedup;

import java.util.Objects;

/**
 * A document the engine accepted, as the deduplication step needs it.
 *
 * @param docId            the doc_id (hash of the normalised text; the record key)
 * @param partition        its partition of mmed.docs.ingested.v1
 * @param offset           its offset there
 * @param ingestedEventId  event_id of the DocumentIngested
 * @param originTopic      topic of the submission (DocumentIngested.origin), may be null
 * @param originPartition  partition of the submission
 * @param originOffset     offset of the submission
 * @param source           the submitter's source name
 * @param text             the text to compare
 * @param lang             the detected language (decides the shingling)
 * @param acceptedAtMillis the decision time, epoch milliseconds
 */
public record DedupRequest(String docId, int partition, long offset, String ingestedEventId, String originTopic,
        int originPartition, long originOffset, String source, String text, String lang, long acceptedAtMillis) {

    public DedupRequest {
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(ingestedEventId, "ingestedEventId");
        Objects.requireNonNull(text, "text");
    }
}
