package io.mmedstream.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.parse.AnswerParser;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccuracyTallyTest {

    private static final Map<String, String> OPTIONS = Map.of("A", "a1", "B", "b1", "C", "c1", "D", "d1");
    private final AnswerParser parser = new AnswerParser();

    /**
     * English: B for gold B (right), A,C for gold A,C (right), A,C for gold A,C,D (wrong: sets must be equal),
     * gibberish for gold D (wrong and unparseable): 2 of 4 = 50 %. French: B for gold B (right), D for gold A
     * (wrong): 1 of 2 = 50 %. Japanese: C for gold C: 100 %. Unweighted mean: (50 + 50 + 100) / 3 = 66.67 %,
     * although 4 of 7 questions (57.14 %) were right.
     */
    @Test
    void countsExactSetMatchesUnparseablesAndTheUnweightedMean() {
        AccuracyTally tally = new AccuracyTally();
        assertThat(tally.record(Language.ENGLISH, parser.parse("###Answer: OPTION B IS CORRECT.</s>", OPTIONS),
                Set.of("B"))).isTrue();
        assertThat(tally.record(Language.ENGLISH, parser.parse("A,C", OPTIONS), Set.of("A", "C"))).isTrue();
        assertThat(tally.record(Language.ENGLISH, parser.parse("A,C", OPTIONS), Set.of("A", "C", "D"))).isFalse();
        assertThat(tally.record(Language.ENGLISH, parser.parse("hmm", OPTIONS), Set.of("D"))).isFalse();
        tally.record(Language.FRENCH, parser.parse("Réponse : B", OPTIONS), Set.of("B"));
        tally.record(Language.FRENCH, parser.parse("D", OPTIONS), Set.of("A"));
        tally.record(Language.JAPANESE, parser.parse("正解はC", OPTIONS), Set.of("C"));

        AccuracySummary summary = tally.summary();

        assertThat(summary.languages()).containsOnlyKeys(Language.ENGLISH, Language.JAPANESE, Language.FRENCH);
        assertThat(summary.languages().keySet()).containsExactly(Language.ENGLISH, Language.JAPANESE,
                Language.FRENCH);
        assertThat(summary.languages().get(Language.ENGLISH)).isEqualTo(new LanguageAccuracy(4, 2, 1));
        assertThat(summary.languages().get(Language.FRENCH)).isEqualTo(new LanguageAccuracy(2, 1, 0));
        assertThat(summary.languages().get(Language.ENGLISH).accuracy()).isCloseTo(50.0, within(1e-9));
        assertThat(summary.meanAccuracy()).isCloseTo((50.0 + 50.0 + 100.0) / 3, within(1e-9));
        assertThat(summary.totalQuestions()).isEqualTo(7);
        assertThat(summary.totalUnparseable()).isEqualTo(1);
        assertThat(summary.coversAllLanguages()).isFalse();
    }

    @Test
    void anEmptyTallyHasNoLanguagesAndMeanZero() {
        AccuracySummary summary = new AccuracyTally().summary();
        assertThat(summary.languages()).isEmpty();
        assertThat(summary.meanAccuracy()).isZero();
    }

    /** Two items: identical texts score 100 on every metric, disjoint texts 0: the language mean is 50. */
    @Test
    void rationaleTallyAveragesItemsPerLanguageInPercentAndSkipsEmptyReferences() {
        RationaleTally tally = new RationaleTally();
        tally.record(Language.ENGLISH, "The liver filters blood.", "the liver filters blood");
        tally.record(Language.ENGLISH, "Kidney stones.", "the liver filters blood");
        tally.record(Language.ENGLISH, "anything", "");
        tally.record(Language.FRENCH, "Le foie filtre le sang.", "le foie filtre le sang");

        RationaleSummary summary = tally.summary();

        assertThat(tally.skipped()).isEqualTo(1);
        assertThat(summary.languages().get(Language.ENGLISH).n()).isEqualTo(2);
        for (RationaleMetric metric : RationaleMetric.values()) {
            assertThat(summary.languages().get(Language.ENGLISH).score(metric)).as(metric.label())
                    .isCloseTo(50.0, within(1e-9));
            assertThat(summary.mean(metric)).as(metric.label()).isCloseTo(75.0, within(1e-9));
        }
    }
}
