package io.mmedstream.filter.service;

import java.util.Map;

/**
 * The keywords of one lexicon found in one text.
 *
 * @param occurrences   non-overlapping occurrences per keyword found (keywords not found are absent)
 * @param matchedLength sum over keywords of occurrences x keyword length, in code points
 * @param textLength    length of the text in code points
 */
public record KeywordScore(Map<String, Integer> occurrences, long matchedLength, int textLength) {

    public KeywordScore {
        occurrences = Map.copyOf(occurrences);
    }

    /** Number of distinct keywords present: the paper's "keyword count". */
    public int distinctKeywords() {
        return occurrences.size();
    }

    /** The paper's "keyword density": matched keyword length over text length (0 for an empty text). */
    public double density() {
        return textLength == 0 ? 0.0 : (double) matchedLength / textLength;
    }
}
