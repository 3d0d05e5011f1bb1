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
     * relative confidence (Lingua), 1 when the script leaves a single candidate; see {@link #LANG_FUNCTION_WORDS}
     * when function words decided.
     */
    public static final String LANG_CONFIDENCE = "lang_confidence";
    /**
     * Present when function words decided the language: the share of the sample's words that are function words of
     * that language alone (then {@link #LANG_CONFIDENCE} is 1 − the runner-up's such words / the winner's).
     */
    public static final String LANG_FUNCTION_WORDS = "lang_function_words";
    /** 1 when the submitter's declared language settled an ambiguous detection (absent otherwise). */
    public static final String DECLARED_LANG_USED = "declared_lang_used";
    /** mmedc: number of distinct medical keywords found in the text. */
    public static final String KEYWORD_COUNT = "keyword_count";
    /** mmedc: sum over keywords of occurrences x keyword length, over the text length (both in code points). */
    public static final String KEYWORD_DENSITY = "keyword_density";

    /** lexical-v2: number of distinct terms of the language's weighted term list found. */
    public static final String TERM_COUNT = "term_count";
    /** lexical-v2: occurrences of clinical measurement patterns ("500 mg", "120/80 mmHg"). */
    public static final String PATTERN_COUNT = "pattern_count";
    /** lexical-v2: sum of the weights of the distinct terms and pattern classes found. */
    public static final String RELEVANCE_EVIDENCE = "relevance_evidence";
    /** lexical-v2: weighted matched units (tokens; zh/ja letters) over the text's units, 0..1. */
    public static final String RELEVANCE_DENSITY = "relevance_density";

    /** Quality: words (zh/ja: letters and digits). */
    public static final String Q_WORDS = "q_words";
    /** Quality: mean word length in letters (not zh/ja). */
    public static final String Q_MEAN_WORD_LENGTH = "q_mean_word_length";
    /** Quality: symbol characters over non-space characters. */
    public static final String Q_SYMBOL_RATIO = "q_symbol_ratio";
    /** Quality: "#" and ellipses per word. */
    public static final String Q_HASH_ELLIPSIS_RATIO = "q_hash_ellipsis_ratio";
    /** Quality: digits over non-space characters. */
    public static final String Q_DIGIT_RATIO = "q_digit_ratio";
    /** Quality: share of words holding a letter (not zh/ja). */
    public static final String Q_ALPHA_WORD_SHARE = "q_alpha_word_share";
    /** Quality: occurrences of the language's function words. */
    public static final String Q_STOPWORDS = "q_stopwords";
    /** Quality: share of lines starting with a bullet. */
    public static final String Q_BULLET_LINE_SHARE = "q_bullet_line_share";
    /** Quality: share of lines ending with an ellipsis. */
    public static final String Q_ELLIPSIS_LINE_SHARE = "q_ellipsis_line_share";
    /** Quality: share of characters in boilerplate lines (1 with "lorem ipsum"). */
    public static final String Q_BOILERPLATE_SHARE = "q_boilerplate_share";
    /** Quality: share of lines repeating an earlier line. */
    public static final String Q_DUP_LINE_SHARE = "q_dup_line_share";
    /** Quality: share of characters in lines repeating an earlier line. */
    public static final String Q_DUP_LINE_CHAR_SHARE = "q_dup_line_char_share";
    /** Quality: share of paragraphs repeating an earlier paragraph. */
    public static final String Q_DUP_PARAGRAPH_SHARE = "q_dup_paragraph_share";
    /** Quality: share of characters in paragraphs repeating an earlier paragraph. */
    public static final String Q_DUP_PARAGRAPH_CHAR_SHARE = "q_dup_paragraph_char_share";

    /** PII: e-mail addresses masked (accepted documents). */
    public static final String PII_EMAIL = "pii_email";
    /** PII: phone numbers masked (accepted documents). */
    public static final String PII_PHONE = "pii_phone";
    /** PII: IP addresses, v4 and v6, masked (accepted documents). */
    public static final String PII_IP = "pii_ip";
    /** PII: long identifier-like numbers masked (accepted documents). */
    public static final String PII_ID = "pii_id";

    /** Quality: share of the characters covered by the most frequent n-gram, {@code q_top_<n>gram_share}. */
    public static String topNgramShare(int n) {
        return TOP_NGRAM[n];
    }

    /** Quality: share of the characters in repeated n-grams, {@code q_dup_<n>gram_share}. */
    public static String dupNgramShare(int n) {
        return DUP_NGRAM[n];
    }

    private static final String[] TOP_NGRAM = names("q_top_%dgram_share");
    private static final String[] DUP_NGRAM = names("q_dup_%dgram_share");

    private static String[] names(String format) {
        String[] out = new String[11];
        for (int n = 0; n < out.length; n++) {
            out[n] = String.format(format, n);
        }
        return out;
    }

    private ScoreNames() {
    }
}
