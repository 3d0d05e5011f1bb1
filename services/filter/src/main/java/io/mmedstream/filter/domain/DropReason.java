package io.mmedstream.filter.domain;

/**
 * Why the filter did not keep a document. The codes travel in {@code DocumentDropped.reasons} and in the
 * {@code reason} tag of the {@code mmed.records.dropped} metric; they are part of the contract, so a code is never
 * renamed or reused. Later filter versions add codes (quality rules, duplicates).
 */
public enum DropReason {

    /** Fewer code points or letters than the configured minimum: too little text to tell its language. */
    TOO_SHORT("too_short"),
    /** Written in none of the configured languages, or in a script none of them uses, or too ambiguous to tell. */
    LANGUAGE_UNSUPPORTED("language_unsupported"),
    /** In a configured language, but below that language's medical keyword count or density threshold. */
    NOT_MEDICAL("not_medical");

    private final String code;

    DropReason(String code) {
        this.code = code;
    }

    /** The wire code, lower snake case. */
    public String code() {
        return code;
    }
}
