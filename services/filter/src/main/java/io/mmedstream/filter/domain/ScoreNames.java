package io.mmedstream.filter.domain;

/**
 * Names of the figures a {@link FilterVerdict} carries in its scores (and the events in their {@code scores} map).
 * Each verdict carries the figures that its decision was made on; which ones appear depends on how far the document
 * got through the filter.
 */
public final class ScoreNames {

    /** Length of the text in Unicode code points (too_short only). */
    public static final String CHAR_COUNT = "char_count";
    /** Letters in the text (too_short only). */
    public static final String LETTER_COUNT = "letter_count";
    /**
     * Share of the detection sample's letters written in a script of a configured language, 0..1 (present when the
     * language was judged unsupported).
     */
    public static final String SUPPORTED_SCRIPT_SHARE = "supported_script_share";
    /**
     * How clearly the language was identified, 0..1: the margin between the best and the second-best language's
     * relative confidence (Lingua), 1 when the script leaves a single candidate.
     */
    public static final String LANG_CONFIDENCE = "lang_confidence";
    /** 1 when the submitter's declared language settled an ambiguous detection (absent otherwise). */
    public static final String DECLARED_LANG_USED = "declared_lang_used";
    /** Number of distinct medical keywords found in the text. */
    public static final String KEYWORD_COUNT = "keyword_count";
    /** Sum over keywords of occurrences x keyword length, divided by the text length (both in code points). */
    public static final String KEYWORD_DENSITY = "keyword_density";

    private ScoreNames() {
    }
}
