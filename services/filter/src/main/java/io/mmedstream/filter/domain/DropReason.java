package io.mmedstream.filter.domain;

/**
 * Why the filter did not keep a document. The codes travel in {@code DocumentDropped.reasons} and in the
 * {@code reason} tag of the {@code mmed.records.dropped} metric; they are part of the contract, so a code is never
 * renamed or reused. Deduplication's codes are in {@code io.mmedstream.filter.dedup.DedupReasons}.
 */
public enum DropReason {

    /** Fewer code points or letters than the configured minimum: too little text to tell its language. */
    TOO_SHORT("too_short"),
    /** Written in none of the configured languages, or in a script none of them uses, or too ambiguous to tell. */
    LANGUAGE_UNSUPPORTED("language_unsupported"),
    /** In a configured language, but below that language's medical relevance thresholds (of the relevance mode). */
    NOT_MEDICAL("not_medical"),

    // Quality rules (Gopher/C4 style, language-aware; see the filter's README for thresholds and metrics).

    /** Fewer words than the minimum (zh/ja: letters). Metric {@code q_words}. */
    QUALITY_TOO_FEW_WORDS("quality_too_few_words"),
    /** More words than the maximum (zh/ja: letters). Metric {@code q_words}. */
    QUALITY_TOO_LONG("quality_too_long"),
    /** Mean word length out of bounds (not zh/ja). Metric {@code q_mean_word_length}. */
    QUALITY_WORD_LENGTH("quality_word_length"),
    /** Too many symbol characters, or "#" and ellipses per word. Metrics {@code q_symbol_ratio},
     * {@code q_hash_ellipsis_ratio}. */
    QUALITY_SYMBOL_RATIO("quality_symbol_ratio"),
    /** Too many digits among the non-space characters. Metric {@code q_digit_ratio}. */
    QUALITY_DIGIT_RATIO("quality_digit_ratio"),
    /** Too few words holding a letter (not zh/ja). Metric {@code q_alpha_word_share}. */
    QUALITY_ALPHA_WORDS("quality_alpha_words"),
    /** Too few function words of the language to be prose. Metric {@code q_stopwords}. */
    QUALITY_NO_STOPWORDS("quality_no_stopwords"),
    /** Mostly lines starting with a bullet. Metric {@code q_bullet_line_share}. */
    QUALITY_BULLET_LINES("quality_bullet_lines"),
    /** Many lines cut off with an ellipsis. Metric {@code q_ellipsis_line_share}. */
    QUALITY_ELLIPSIS_LINES("quality_ellipsis_lines"),
    /** Too much page furniture: cookie banners, navigation, sign-in and copyright lines. Metric
     * {@code q_boilerplate_share}. */
    QUALITY_BOILERPLATE("quality_boilerplate"),
    /** Repeated lines, paragraphs or n-grams. Metrics {@code q_dup_*}, {@code q_top_*gram_share}. */
    QUALITY_REPETITION("quality_repetition");

    private final String code;

    DropReason(String code) {
        this.code = code;
    }

    /** The wire code, lower snake case. */
    public String code() {
        return code;
    }
}
