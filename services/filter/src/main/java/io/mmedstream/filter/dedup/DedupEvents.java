package io.mmedstream.filter.dedup;

/** What the state follower reports besides its data (metrics and logs hook in here). */
public interface DedupEvents {

    /**
     * Two documents that are near duplicates of each other were both accepted, by this instance ({@code mine}) and
     * another ({@code theirs}), because each was decided before the other's signature reached the deciding
     * instance: the race between replicas that README "Deduplication" describes. Reported once per pair, by one of
     * the two instances.
     */
    default void nearDuplicatesBothAccepted(String mine, NearEntry theirs, double jaccard) {
    }

    /** A state record could not be read and was skipped (its document's dedup state is lost). */
    default void unreadableStateRecord(String topic, int partition, long offset, RuntimeException cause) {
    }

    /** A signature of another scheme was skipped (its document cannot be compared with this configuration). */
    default void foreignScheme(String docId, String scheme) {
    }

    /** Does nothing. */
    DedupEvents NONE = new DedupEvents() {
    };
}
