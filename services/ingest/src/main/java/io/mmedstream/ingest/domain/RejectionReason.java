package io.mmedstream.ingest.domain;

/**
 * Why a submission was rejected: the {@code reason} of a {@code DocumentRejected}. Every code is a permanent failure:
 * the same bytes would be rejected again, so they go to the rejected topic instead of being retried.
 */
public enum RejectionReason {

    /** The value is empty, is not JSON, or has trailing content or duplicate keys. */
    MALFORMED_JSON("malformed_json"),
    /** The value is not valid UTF-8, or a string holds an unpaired surrogate escape that UTF-8 cannot encode. */
    INVALID_UTF8("invalid_utf8"),
    /** The JSON value is not an object. */
    NOT_AN_OBJECT("not_an_object"),
    /** {@code text} or {@code source} is absent or null. */
    MISSING_FIELD("missing_field"),
    /** A field has the wrong JSON type (e.g. {@code text} a number, a metadata value not a string). */
    WRONG_TYPE("wrong_type"),
    /** A field has the right type but an unusable value ({@code lang} not ISO 639-1, {@code source} blank). */
    INVALID_FIELD("invalid_field"),
    /** {@code text} is empty or white space after normalisation. */
    BLANK_TEXT("blank_text"),
    /** The text, the whole value, or the event it would become is over its size limit. */
    TOO_LARGE("too_large"),
    /** A binary submission (Avro single-object marker C3 01) that does not decode as {@code DocumentSubmitted}. */
    INVALID_AVRO("invalid_avro"),
    /** Ingest failed on this submission for a reason of its own (a defect): dead-lettered so the stream goes on. */
    INTERNAL_ERROR("internal_error");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    /** The wire code, lower snake case. */
    public String code() {
        return code;
    }
}
