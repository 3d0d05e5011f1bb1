package io.mmedstream.filter.dedup;

/**
 * Drop reasons and score names of the deduplication step. The reason codes travel in {@code DocumentDropped.reasons}
 * and in the {@code reason} tag of {@code mmed.records.dropped}, beside the engine's (too_short, not_medical, ...);
 * like those they are never renamed or reused.
 */
public final class DedupReasons {

    /** The same normalised text (the same doc_id) was accepted before; {@code duplicate_of} is that doc_id. */
    public static final String DUPLICATE_EXACT = "duplicate_exact";
    /** A document with a similar shingle set was accepted before; {@code duplicate_of} names it. */
    public static final String DUPLICATE_NEAR = "duplicate_near";

    /** Estimated Jaccard similarity to the document named by {@code duplicate_of} (duplicate_near). */
    public static final String SCORE_JACCARD = "duplicate_jaccard";
    /**
     * Offset in mmed.docs.ingested.v1 (same partition as this record) of the copy accepted first (duplicate_exact).
     */
    public static final String SCORE_FIRST_OFFSET = "duplicate_first_offset";
    /** Partition of the submission (DocumentIngested.origin) accepted first (duplicate_exact). */
    public static final String SCORE_FIRST_ORIGIN_PARTITION = "duplicate_first_origin_partition";
    /** Offset of the submission accepted first (duplicate_exact). */
    public static final String SCORE_FIRST_ORIGIN_OFFSET = "duplicate_first_origin_offset";

    private DedupReasons() {
    }
}
