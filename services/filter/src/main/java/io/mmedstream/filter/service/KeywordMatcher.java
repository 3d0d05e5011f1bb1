package io.mmedstream.filter.service;

/**
 * Finds a lexicon's keywords in texts. Implementations are immutable and thread-safe; each call allocates its own
 * working state.
 */
public interface KeywordMatcher {

    /** Counts the lexicon's keywords in a text. */
    KeywordScore score(String text);

    /** The matcher for a lexicon's {@link MatchingMode}. */
    static KeywordMatcher of(Lexicon lexicon) {
        return switch (lexicon.matching()) {
            case WORD -> new WordKeywordMatcher(lexicon.keywords());
            case SUBSTRING -> new SubstringKeywordMatcher(lexicon.keywords());
        };
    }
}
