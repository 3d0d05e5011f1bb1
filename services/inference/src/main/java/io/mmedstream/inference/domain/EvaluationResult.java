package io.mmedstream.inference.domain;

import java.time.Instant;
import java.util.List;

/**
 * The MMedBench summary of a checkpoint, as GetModel reports it.
 *
 * @param meanAccuracy unweighted mean of the per-language accuracies, percent
 * @param languages    per-language figures
 * @param evaluatedAt  when the evaluation finished
 */
public record EvaluationResult(double meanAccuracy, List<LanguageScore> languages, Instant evaluatedAt) {

    public EvaluationResult {
        languages = languages == null ? List.of() : List.copyOf(languages);
    }

    /** One language's accuracy (percent) and counts. */
    public record LanguageScore(String language, int questions, int correct, double accuracy, int unparseable) {
    }
}
