package io.mmedstream.ingest.domain;

/**
 * The one failure type of ingest: a submission that cannot become a document, with the reason and a message that
 * names the field or position at fault. Expected on bad input, so it carries no stack trace.
 */
public final class InvalidSubmissionException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final String externalId;

    public InvalidSubmissionException(RejectionReason reason, String message) {
        this(reason, message, null);
    }

    private InvalidSubmissionException(RejectionReason reason, String message, String externalId) {
        super(message, null, false, false);
        this.reason = reason;
        this.externalId = externalId;
    }

    public RejectionReason reason() {
        return reason;
    }

    /** The submitter's external_id when it could be read before the failure, else null. */
    public String externalId() {
        return externalId;
    }

    /** The same failure, remembering the submission's external_id. */
    public InvalidSubmissionException withExternalId(String id) {
        return id == null || id.equals(externalId) ? this : new InvalidSubmissionException(reason, getMessage(), id);
    }
}
