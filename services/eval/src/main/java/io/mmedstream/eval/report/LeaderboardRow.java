package io.mmedstream.eval.report;

import io.mmedstream.eval.benchmark.Language;
import java.util.Objects;

/**
 * One row of the MMedBench leaderboard CSV (columns {@code Language, ModelInput, ModelOutput, GT_Answer}).
 *
 * @param language    the question's language
 * @param modelInput  the prompt the model was given
 * @param modelOutput what the model generated
 * @param gtAnswer    the gold answer: option letters ({@code "A"}, {@code "A,C"}) in the multiple-choice file
 */
public record LeaderboardRow(Language language, String modelInput, String modelOutput, String gtAnswer) {

    public LeaderboardRow {
        Objects.requireNonNull(language, "language");
        modelInput = modelInput == null ? "" : modelInput;
        modelOutput = modelOutput == null ? "" : modelOutput;
        gtAnswer = gtAnswer == null ? "" : gtAnswer;
    }
}
