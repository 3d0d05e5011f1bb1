package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.Map;
import java.util.Set;

import io.mmedstream.filter.domain.ScoreNames;

/**
 * The paper's relevance test (REFERENCE section 1), mode {@code mmedc}: keyword count = distinct keywords present,
 * keyword density = sum of occurrences x keyword length over the text length (code points); medical when both reach
 * the language's thresholds. Scores: {@code keyword_count}, {@code keyword_density}.
 */
final class MmedcRelevance implements RelevanceTest {

    private final Lexicon lexicon;
    private final KeywordMatcher matcher;
    private final RelevanceThresholds thresholds;

    MmedcRelevance(Lexicon lexicon, RelevanceThresholds thresholds) {
        this.lexicon = lexicon;
        this.matcher = KeywordMatcher.of(lexicon);
        this.thresholds = thresholds;
    }

    @Override
    public boolean test(String text, Map<String, Double> scores) {
        KeywordScore keywords = matcher.score(text);
        scores.put(ScoreNames.KEYWORD_COUNT, (double) keywords.distinctKeywords());
        scores.put(ScoreNames.KEYWORD_DENSITY, keywords.density());
        return thresholds.passes(keywords);
    }

    KeywordScore score(String text) {
        return matcher.score(text);
    }

    Lexicon lexicon() {
        return lexicon;
    }

    RelevanceThresholds thresholds() {
        return thresholds;
    }

    @Override
    public Set<UnicodeScript> scripts() {
        return lexicon.scripts();
    }

    @Override
    public String thresholdSummary() {
        return thresholds.minKeywords() + "/" + thresholds.minDensity();
    }
}
