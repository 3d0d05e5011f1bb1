package io.mmedstream.filter.service;

/**
 * Finds a weighted term list's terms in texts ({@code lexical-v2}). Occurrences never overlap: at each position the
 * longest term wins, so "insuffisance cardiaque" counts once, not also as "insuffisance". Implementations are
 * immutable and thread-safe.
 */
interface TermMatcher {

    /**
     * Counts the terms in a text.
     *
     * @param text   the text
     * @param counts per term index (as in {@link #termCount()}), incremented for each occurrence
     * @return the text's length in units: tokens for {@code stem} lists, letters and digits for {@code substring}
     */
    int count(String text, int[] counts);

    /** Number of terms (indices 0 .. n-1 in lexicon order). */
    int termCount();

    /** Length of a term in units (tokens or letters). */
    int units(int term);

    /** The matcher for a term list. */
    static TermMatcher of(TermLexicon lexicon) {
        return switch (lexicon.matching()) {
            case STEM -> new StemTermMatcher(lexicon);
            case SUBSTRING -> new LongestSubstringMatcher(lexicon);
        };
    }
}
