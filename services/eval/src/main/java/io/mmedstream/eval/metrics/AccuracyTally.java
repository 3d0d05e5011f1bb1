package io.mmedstream.eval.metrics;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.parse.ParsedAnswer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts multiple-choice results as they come: a question is right only when the parsed option set equals the gold
 * set exactly ("A,C" against gold "A,C,D" is wrong); an unparseable answer is wrong and also counted as unparseable.
 * Not thread-safe: one tally per scoring run.
 */
public final class AccuracyTally {

    private final Map<Language, int[]> counts = new EnumMap<>(Language.class);

    /**
     * Records one question's result.
     *
     * @return whether the answer was right
     */
    public boolean record(Language language, ParsedAnswer answer, Set<String> gold) {
        if (gold.isEmpty()) {
            throw new IllegalArgumentException("a gold answer has at least one option");
        }
        int[] count = counts.computeIfAbsent(language, l -> new int[3]);
        boolean right = answer.matches(gold);
        count[0]++;
        if (right) {
            count[1]++;
        }
        if (answer instanceof ParsedAnswer.Unparseable) {
            count[2]++;
        }
        return right;
    }

    /** The results so far. */
    public AccuracySummary summary() {
        Map<Language, LanguageAccuracy> languages = new EnumMap<>(Language.class);
        counts.forEach((language, c) -> languages.put(language, new LanguageAccuracy(c[0], c[1], c[2])));
        return new AccuracySummary(languages);
    }
}
