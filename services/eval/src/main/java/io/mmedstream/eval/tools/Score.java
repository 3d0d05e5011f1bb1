package io.mmedstream.eval.tools;

import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.BenchmarkReader;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.metrics.AccuracySummary;
import io.mmedstream.eval.metrics.LanguageAccuracy;
import io.mmedstream.eval.metrics.LanguageRationale;
import io.mmedstream.eval.metrics.RationaleMetric;
import io.mmedstream.eval.metrics.RationaleSummary;
import io.mmedstream.eval.report.JsonReport;
import io.mmedstream.eval.report.LeaderboardCsv;
import io.mmedstream.eval.report.LeaderboardRow;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mmed score}: scores a leaderboard-format CSV offline, with no model. Prints per-language accuracy, the
 * unparseable count and the unweighted mean; with {@code --rationale} also rationale BLEU/ROUGE on the
 * human_check_passed items of the references; with {@code --json} the JSON report instead of tables. Exit status 0
 * when scored, 1 when an input cannot be scored (the message names the file and line or row), 2 on a usage error.
 */
public final class Score {

    static final String USAGE = """
            usage: mmed score --predictions FILE.csv [--references DIR] [--rationale] [--match input|order] [--json]

            Scores a MMedBench leaderboard CSV (columns Language,ModelInput,ModelOutput,GT_Answer) offline.

              --predictions FILE.csv  the model's outputs; GT_Answer holds the gold letters ("B", "A,C")
              --references DIR        the benchmark directory (<Language>.jsonl: English, Chinese, Japanese,
                                      French, Russian, Spanish): options for parsing, and the reference rationales
              --rationale             also score rationales (BLEU-1..4, cumulative BLEU-4, ROUGE-1/2/L) on the
                                      human_check_passed records; needs --references
              --match input|order     pair rows with records by the question in ModelInput (default) or by
                                      position within each language
              --json                  print {"languages": {...}, "mean_accuracy": ...} instead of tables
              --help                  this text
            """;

    private Score() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path predictions = null;
        Path references = null;
        boolean rationale = false;
        boolean json = false;
        PredictionScorer.Match match = PredictionScorer.Match.INPUT;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--rationale" -> rationale = true;
                case "--json" -> json = true;
                case "--predictions", "--references", "--match" -> {
                    if (i + 1 >= args.length) {
                        return usage(err, arg + " needs a value");
                    }
                    String value = args[++i];
                    if (arg.equals("--predictions")) {
                        predictions = Path.of(value);
                    } else if (arg.equals("--references")) {
                        references = Path.of(value);
                    } else if (value.equals("input") || value.equals("order")) {
                        match = PredictionScorer.Match.valueOf(value.toUpperCase(Locale.ROOT));
                    } else {
                        return usage(err, "--match takes input or order, not " + value);
                    }
                }
                default -> {
                    return usage(err, "unknown argument " + arg);
                }
            }
        }
        if (predictions == null) {
            return usage(err, "--predictions FILE.csv is required");
        }
        if (rationale && references == null) {
            return usage(err, "--rationale needs --references DIR (the benchmark's <Language>.jsonl files with"
                    + " rationale and human_check_passed)");
        }
        try {
            List<LeaderboardRow> rows = LeaderboardCsv.readFile(predictions);
            Map<Language, List<BenchmarkQuestion>> records =
                    references == null ? null : BenchmarkReader.readDirectory(references);
            PredictionScorer.Result result = new PredictionScorer()
                    .score(rows, records, match, rationale, predictions.toString());
            result.warnings().forEach(w -> err.println("score: warning: " + w));
            if (json) {
                out.println(JsonReport.render(null, result.accuracy(), result.rationale()));
            } else {
                printAccuracy(out, predictions, rows.size(), result.accuracy());
                if (result.rationale() != null) {
                    printRationale(out, result.rationale());
                }
            }
            return 0;
        } catch (EvalException e) {
            err.println("score: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("score: " + problem);
        err.print(USAGE);
        return 2;
    }

    private static void printAccuracy(PrintStream out, Path file, int rows, AccuracySummary accuracy) {
        out.printf(Locale.ROOT, "MMedBench accuracy: %s (%d rows)%n", file, rows);
        out.printf(Locale.ROOT, "%-10s %6s %8s %9s %12s%n", "language", "n", "correct", "accuracy", "unparseable");
        accuracy.languages().forEach((language, result) -> row(out, language.displayName(), result));
        row(out, "all", new LanguageAccuracy(accuracy.totalQuestions(),
                accuracy.languages().values().stream().mapToInt(LanguageAccuracy::correct).sum(),
                accuracy.totalUnparseable()));
        out.printf(Locale.ROOT, "mean accuracy (unweighted over %d language%s%s): %.2f%n",
                accuracy.languages().size(), accuracy.languages().size() == 1 ? "" : "s",
                accuracy.coversAllLanguages() ? "" : ", not the six-language benchmark mean", accuracy.meanAccuracy());
    }

    private static void row(PrintStream out, String name, LanguageAccuracy result) {
        out.printf(Locale.ROOT, "%-10s %6d %8d %8.2f%% %12d%n", name, result.n(), result.correct(), result.accuracy(),
                result.unparseable());
    }

    private static void printRationale(PrintStream out, RationaleSummary rationale) {
        out.println();
        out.println("rationale similarity on human_check_passed items (percent)");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s %6s", "language", "n"));
        for (RationaleMetric metric : RationaleMetric.values()) {
            header.append(String.format(Locale.ROOT, " %" + width(metric) + "s", metric.label()));
        }
        out.println(header);
        rationale.languages().forEach((language, result) -> out.println(rationaleRow(language.displayName(),
                String.valueOf(result.n()), result)));
        if (!rationale.languages().isEmpty()) {
            StringBuilder mean = new StringBuilder(String.format(Locale.ROOT, "%-10s %6s", "mean", ""));
            for (RationaleMetric metric : RationaleMetric.values()) {
                mean.append(String.format(Locale.ROOT, " %" + width(metric) + ".2f", rationale.mean(metric)));
            }
            out.println(mean);
        }
    }

    private static String rationaleRow(String name, String n, LanguageRationale result) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s %6s", name, n));
        for (RationaleMetric metric : RationaleMetric.values()) {
            line.append(String.format(Locale.ROOT, " %" + width(metric) + ".2f", result.score(metric)));
        }
        return line.toString();
    }

    private static int width(RationaleMetric metric) {
        return Math.max(7, metric.label().length());
    }
}
