package io.mmedstream.local.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.LanguageAccuracyResult;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.ModelRef;
import io.mmedstream.proto.inference.v1.Usage;

class EvaluationTableTest {

    @TempDir
    Path reports;

    @Test
    void aPromotedCheckpointShowsEachLanguageTheMeanAndThePromotionsReason() {
        EvalCompleted result = result("round-000001-step-80", reports.resolve("a"));
        ModelPromoted promotion = ModelPromoted.newBuilder().setEventId("p").setOccurredAt(Instant.EPOCH)
                .setCheckpointId(result.getCheckpointId()).setCheckpointUri(result.getCheckpointUri())
                .setModelName("mmed-llm").setModelVersion("1").setReason("first evaluated checkpoint (mean accuracy"
                        + " 30.00): nothing serves yet").setMeanAccuracy(30.0).setAccuracyPerLanguage(Map.of())
                .setReportUri(result.getReportUri()).build();

        List<String> rows = EvaluationTable.rows(new Evaluation(result, Optional.of(promotion)));

        assertThat(rows.get(0)).isEqualTo("checkpoint round-000001-step-80: mmed-llm version 1, benchmark mini"
                + " (10 questions), 12.3 s");
        assertThat(rows).contains(
                "  language   questions  correct  unparseable  accuracy",
                "  English            5        2            1     40.0%",
                "  Chinese            5        1            4     20.0%",
                "  mean                                           30.0%",
                "  promoted: yes (first evaluated checkpoint (mean accuracy 30.00): nothing serves yet)",
                "  report: " + reports.resolve("a"));
    }

    @Test
    void whyACheckpointWasNotPromotedComesFromEvalsDecisionInItsReportDirectory() throws Exception {
        Path dir = Files.createDirectories(reports.resolve("b"));
        Files.writeString(dir.resolve(Evaluation.DECISION_FILE), "{\"checkpoint\": \"c\", \"promoted\": false,"
                + " \"reason\": \"gain below margin: mean accuracy 30.00 vs serving c0 30.00\"}");
        Evaluation evaluation = new Evaluation(result("round-000002-step-80", dir), Optional.empty());

        assertThat(evaluation.decidedToPromote()).contains(false);
        assertThat(EvaluationTable.rows(evaluation))
                .contains("  promoted: no (gain below margin: mean accuracy 30.00 vs serving c0 30.00)");
        assertThat(EvaluationTable.line(evaluation))
                .isEqualTo("round-000002-step-80  mmed-llm v1  mean 30.0%  not promoted");
    }

    @Test
    void withoutARecordedDecisionTheTableSaysWhereItIs() {
        Evaluation evaluation = new Evaluation(result("c", reports.resolve("missing")), Optional.empty());

        assertThat(evaluation.decidedToPromote()).isEmpty();
        assertThat(evaluation.reason()).contains("eval's log");
    }

    @Test
    void anAnswerShowsTheChosenOptionsOrWhyNoneAndTheModelsOutputOnOneLine() {
        AnswerResponse chosen = AnswerResponse.newBuilder().addChosen("A").setParseRule("TARGET_PHRASE")
                .setRawOutput("###Answer: OPTION A IS CORRECT.\nmore")
                .setModel(ModelRef.newBuilder().setName("mmed-llm").setVersion("2"))
                .setUsage(Usage.newBuilder().setPromptTokens(1234).setCompletionTokens(12)).build();
        AnswerResponse none = AnswerResponse.newBuilder().setUnparseableReason("no answer found")
                .setRawOutput("the the the").setModel(ModelRef.newBuilder().setName("mmed-llm").setVersion("1"))
                .build();

        assertThat(EvaluationTable.answer(chosen)).containsExactly("answer from mmed-llm version 2: A (TARGET_PHRASE)",
                "  model output: \"###Answer: OPTION A IS CORRECT.\\nmore\"", "  tokens: prompt 1,234, completion 12");
        assertThat(EvaluationTable.answer(none).get(0))
                .isEqualTo("answer from mmed-llm version 1: none (unparseable: no answer found)");
    }

    private static EvalCompleted result(String checkpoint, Path reportDir) {
        return EvalCompleted.newBuilder().setEventId("e").setOccurredAt(Instant.EPOCH).setCheckpointId(checkpoint)
                .setCheckpointUri("file:///checkpoints/" + checkpoint).setModelName("mmed-llm").setModelVersion("1")
                .setBenchmarkName("mini").setBenchmarkSize(10).setWithRationale(false)
                .setLanguages(List.of(language("English", 2, 1), language("Chinese", 1, 4)))
                .setMeanAccuracy(30.0).setReportUri(reportDir.toUri().toString()).setStartedAt(Instant.EPOCH)
                .setLoadMillis(100).setGenerationMillis(12_000).setTotalMillis(12_300).build();
    }

    private static LanguageAccuracyResult language(String name, int correct, int unparseable) {
        return LanguageAccuracyResult.newBuilder().setLanguage(name).setN(5).setCorrect(correct)
                .setUnparseable(unparseable).setAccuracy(100.0 * correct / 5).build();
    }
}
