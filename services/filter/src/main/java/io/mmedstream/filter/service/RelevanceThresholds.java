package io.mmedstream.filter.service;

/**
 * A language's medical relevance thresholds (REFERENCE section 1): a document is medical when it holds at least
 * {@code minKeywords} distinct keywords and its keyword density is at least {@code minDensity}.
 */
public record RelevanceThresholds(int minKeywords, double minDensity) {

    public RelevanceThresholds {
        if (minKeywords < 0) {
            throw new IllegalArgumentException("minKeywords must be >= 0, got " + minKeywords);
        }
        if (!(minDensity >= 0.0 && minDensity <= 1.0)) {
            throw new IllegalArgumentException("minDensity must be within [0, 1], got " + minDensity);
        }
    }

    /** Whether a keyword score passes these thresholds. */
    public boolean passes(KeywordScore score) {
        return score.distinctKeywords() >= minKeywords && score.density() >= minDensity;
    }
}
