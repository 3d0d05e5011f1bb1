package io.mmedstream.filter.service;

/**
 * The filter's one exception type. Every failure is classified once, here, by its {@link Reason}; all of them are
 * permanent (retrying the same input or configuration gives the same result). Record-level reasons become the
 * {@code dead-letter-reason} of the record that caused them.
 */
public class FilterException extends RuntimeException {

    /** What went wrong; the code is the dead-letter reason on the wire. */
    public enum Reason {
        /** The filter's configuration or a lexicon resource is invalid: the service must not start. */
        INVALID_CONFIGURATION("invalid_configuration"),
        /** The record's value is not a DocumentIngested in Avro single-object encoding (or is empty). */
        UNREADABLE_RECORD("invalid_avro"),
        /** The record decodes but breaks the DocumentIngested contract (blank doc_id, text over the size limit). */
        INVALID_RECORD("invalid_record"),
        /** The decision event would exceed the record size limit of the output topics. */
        RECORD_TOO_LARGE("too_large"),
        /** The filter failed on this record's content: a defect to fix, the record is kept for replay. */
        PROCESSING_ERROR("processing_error");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** Wire code, lower snake case. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public FilterException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public FilterException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
