package io.mmedstream.filter.service;

/** How a lexicon's keywords are found in a text. */
public enum MatchingMode {

    /**
     * Whole words, case-insensitive: a keyword (one or more words) matches a run of the text's words. A word is a
     * maximal run of letters, digits and combining marks; every other character separates words, and the words of a
     * multi-word keyword may be separated in the text only by white space or hyphens. For languages written with
     * spaces between words.
     */
    WORD,

    /**
     * Substrings: every non-overlapping occurrence of the keyword anywhere in the text, case-insensitive. For
     * languages written without spaces (Chinese, Japanese), where whole-word matching would find almost nothing.
     */
    SUBSTRING
}
