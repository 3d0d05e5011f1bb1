package io.mmedstream.ingest.service;

import io.mmedstream.proto.Topics;

/**
 * Size limits of ingest, in bytes.
 *
 * @param maxTextBytes largest normalised text, in UTF-8; larger texts are rejected with {@code too_large}
 * @param maxSubmissionBytes largest submission value that is parsed at all; a larger one is rejected with
 *        {@code too_large} without being read (the broker already refuses records over its own limit)
 * @param maxOriginalBytes how much of a rejected submission's value its {@code DocumentRejected} keeps
 * @param maxEventBytes largest event ingest writes: a submission whose fields together would make a bigger
 *        {@code DocumentIngested} is rejected with {@code too_large}, because the producer could never send it and
 *        the transaction would abort on every retry. Must stay below the producer's {@code max.request.size}.
 */
public record IngestLimits(int maxTextBytes, int maxSubmissionBytes, int maxOriginalBytes, int maxEventBytes) {

    /** Room a {@code DocumentRejected} needs besides its original bytes: ids, key, message, external id. */
    static final int REJECTION_OVERHEAD = 16 * 1024;

    /** Room a {@code DocumentIngested} needs besides its text: fixed fields, ids, origin. */
    static final int INGESTED_OVERHEAD = 1024;

    public IngestLimits {
        requirePositive("max-text-bytes", maxTextBytes);
        requirePositive("max-submission-bytes", maxSubmissionBytes);
        requirePositive("max-original-bytes", maxOriginalBytes);
        requirePositive("max-event-bytes", maxEventBytes);
        if ((long) maxTextBytes + INGESTED_OVERHEAD > maxEventBytes) {
            throw new IllegalArgumentException("max-text-bytes (" + maxTextBytes + ") leaves no room for the rest"
                    + " of an event under max-event-bytes (" + maxEventBytes + ")");
        }
        if ((long) maxOriginalBytes + REJECTION_OVERHEAD > maxEventBytes) {
            throw new IllegalArgumentException("max-original-bytes (" + maxOriginalBytes + ") leaves no room for"
                    + " the rest of a rejection under max-event-bytes (" + maxEventBytes + ")");
        }
    }

    /** The defaults: 8 MiB of text, 20 MiB submissions, 1 MiB of a rejected original, events up to 20 MiB - 64 KiB. */
    public static IngestLimits defaults() {
        return new IngestLimits(Topics.MAX_TEXT_BYTES, Topics.MAX_RECORD_BYTES, 1024 * 1024,
                Topics.MAX_RECORD_BYTES - 64 * 1024);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
