package io.mmedstream.local.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.mmedstream.local.cli.Format;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.LanguageAccuracyResult;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.ModelInfo;

/** How the commands show evaluations, the serving model and an answer: plain text rows. */
public final class EvaluationTable {

    private EvaluationTable() {
    }

    /**
     * One evaluation in full: what was evaluated, accuracy per language (questions, correct, unparseable, accuracy),
     * the unweighted mean, whether it was promoted and why, and the report directory.
     */
    public static List<String> rows(Evaluation evaluation) {
        EvalCompleted r = evaluation.result();
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "checkpoint %s: %s version %s, benchmark %s (%d questions%s), %s",
                r.getCheckpointId(), r.getModelName(), r.getModelVersion(), r.getBenchmarkName(),
                r.getBenchmarkSize(), r.getWithRationale() ? ", with rationale" : "",
                Format.seconds(Duration.ofMillis(r.getTotalMillis()))));
        rows.add(String.format(Locale.ROOT, "  %-10s %9s %8s %12s %9s", "language", "questions", "correct",
                "unparseable", "accuracy"));
        for (LanguageAccuracyResult l : r.getLanguages()) {
            rows.add(String.format(Locale.ROOT, "  %-10s %9d %8d %12d %8.1f%%", l.getLanguage(), l.getN(),
                    l.getCorrect(), l.getUnparseable(), l.getAccuracy()));
        }
        rows.add(String.format(Locale.ROOT, "  %-10s %40.1f%%", "mean", r.getMeanAccuracy()));
        rows.add("  promoted: " + (evaluation.promoted() ? "yes" : "no") + " (" + evaluation.reason() + ")");
        evaluation.reportDir().ifPresent(d -> rows.add("  report: " + d));
        return rows;
    }

    /** One evaluation in one line: checkpoint, version, mean accuracy, promoted or not. */
    public static String line(Evaluation evaluation) {
        EvalCompleted r = evaluation.result();
        return String.format(Locale.ROOT, "%s  %s v%s  mean %.1f%%  %s", r.getCheckpointId(), r.getModelName(),
                r.getModelVersion(), r.getMeanAccuracy(), evaluation.promoted() ? "promoted" : "not promoted");
    }

    /** The serving model as inference reports it. */
    public static String serving(ModelInfo info) {
        StringBuilder sb = new StringBuilder(info.getModel().getName() + " version " + info.getModel().getVersion());
        if (!info.getCheckpointId().isEmpty()) {
            sb.append(", checkpoint ").append(info.getCheckpointId());
        }
        if (info.hasEvaluation()) {
            sb.append(String.format(Locale.ROOT, ", mean accuracy %.1f%%", info.getEvaluation().getMeanAccuracy()));
        }
        if (info.getServingSinceMs() > 0) {
            sb.append(", serving since ").append(java.time.Instant.ofEpochMilli(info.getServingSinceMs()));
        }
        return sb.toString();
    }

    /** An answer: the chosen options (or why none), the rule that read them, the model's output and usage. */
    public static List<String> answer(AnswerResponse a) {
        List<String> rows = new ArrayList<>();
        String chosen = a.getChosenCount() == 0
                ? "none (unparseable: " + a.getUnparseableReason() + ")"
                : String.join(",", a.getChosenList()) + (a.getParseRule().isEmpty() ? "" : " (" + a.getParseRule() + ")");
        rows.add("answer from " + a.getModel().getName() + " version " + a.getModel().getVersion() + ": " + chosen);
        if (!a.getRationale().isBlank()) {
            rows.add("  rationale: " + oneLine(a.getRationale(), 300));
        }
        rows.add("  model output: \"" + oneLine(a.getRawOutput(), 300) + "\"");
        if (a.hasUsage()) {
            rows.add("  tokens: prompt " + Format.count(a.getUsage().getPromptTokens()) + ", completion "
                    + Format.count(a.getUsage().getCompletionTokens()));
        }
        return rows;
    }

    private static String oneLine(String text, int max) {
        String flat = text.replace("\r", "").replace("\n", "\\n");
        return flat.length() > max ? flat.substring(0, max) + " ..." : flat;
    }
}
