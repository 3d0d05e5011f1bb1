package io.mmedstream.filter.dedup;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the deduplication step decided for one document the engine accepted. */
public sealed interface DedupOutcome {

    /** Whether the document is dropped as a duplicate. */
    boolean duplicate();

    /** The drop reason ({@link DedupReasons}), or {@code null} for a unique document. */
    String reason();

    /** The doc_id this document duplicates, or {@code null}. */
    String duplicateOf();

    /** Figures to add to the event's scores. */
    Map<String, Double> scores();

    /**
     * Not seen before: accept. The entries to write to the state topics, in the transaction that accepts the
     * document ({@code null} for a disabled kind, and {@code near} also when the text has no tokens).
     */
    record Unique(ExactEntry exact, NearEntry near) implements DedupOutcome {
        @Override
        public boolean duplicate() {
            return false;
        }

        @Override
        public String reason() {
            return null;
        }

        @Override
        public String duplicateOf() {
            return null;
        }

        @Override
        public Map<String, Double> scores() {
            return Map.of();
        }
    }

    /** The same doc_id was accepted before, as {@code first}. */
    record ExactDuplicate(ExactEntry first) implements DedupOutcome {
        @Override
        public boolean duplicate() {
            return true;
        }

        @Override
        public String reason() {
            return DedupReasons.DUPLICATE_EXACT;
        }

        @Override
        public String duplicateOf() {
            return first.docId();
        }

        @Override
        public Map<String, Double> scores() {
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put(DedupReasons.SCORE_FIRST_OFFSET, (double) first.offset());
            scores.put(DedupReasons.SCORE_FIRST_ORIGIN_PARTITION, (double) first.originPartition());
            scores.put(DedupReasons.SCORE_FIRST_ORIGIN_OFFSET, (double) first.originOffset());
            return scores;
        }
    }

    /** An accepted document, {@code duplicateOf}, has an estimated Jaccard similarity of {@code jaccard}. */
    record NearDuplicate(String duplicateOf, double jaccard) implements DedupOutcome {
        @Override
        public boolean duplicate() {
            return true;
        }

        @Override
        public String reason() {
            return DedupReasons.DUPLICATE_NEAR;
        }

        @Override
        public Map<String, Double> scores() {
            return Map.of(DedupReasons.SCORE_JACCARD, jaccard);
        }
    }
}
