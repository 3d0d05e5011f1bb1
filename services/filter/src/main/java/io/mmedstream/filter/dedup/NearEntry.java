package io.mmedstream.filter.dedup;

import java.util.Objects;

/**
 * The near-dedup state of one accepted document: its MinHash signature. One record per accepted document on the
 * MinHash topic ({@link DedupSettings#minhashTopic()}), keyed by doc_id, in the partition of mmed.docs.ingested.v1
 * the document was read from; every filter instance reads all of them.
 *
 * @param docId            the doc_id
 * @param lang             the detected language (decides the shingling)
 * @param scheme           {@link DedupSettings#scheme()} of the signature; others are not comparable
 * @param signature        the MinHash signature, bands x rows values
 * @param partition        partition of mmed.docs.ingested.v1 the document was read from (also this record's)
 * @param offset           its offset there
 * @param acceptedAtMillis when the filter accepted it (epoch milliseconds)
 * @param instanceId       the filter instance that accepted it
 */
public record NearEntry(String docId, String lang, String scheme, int[] signature, int partition, long offset,
        long acceptedAtMillis, String instanceId) {

    public NearEntry {
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(signature, "signature");
        lang = lang == null ? "" : lang;
        instanceId = instanceId == null ? "" : instanceId;
    }
}
