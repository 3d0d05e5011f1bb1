package io.mmedstream.filter.messaging;

/** Channel names of the filter service (configured under {@code mp.messaging.*.<channel>.*}). */
public final class FilterChannels {

    /** Incoming: DocumentIngested from mmed.docs.ingested.v1, consumed in batches. */
    public static final String DOCUMENTS = "documents-in";
    /**
     * Outgoing, transactional: DocumentAccepted, DocumentDropped and dead letters. One producer writes all three
     * topics so that a batch's outputs and its consumed offsets commit in one transaction; each message names its
     * topic.
     */
    public static final String DECISIONS = "decisions-out";

    private FilterChannels() {
    }
}
