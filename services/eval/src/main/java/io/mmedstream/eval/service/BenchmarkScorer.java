package io.mmedstream.eval.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.metrics.AccuracySummary;
import io.mmedstream.eval.metrics.AccuracyTally;
import io.mmedstream.eval.metrics.RationaleSummary;
import io.mmedstream.eval.metrics.RationaleTally;
import io.mmedstream.eval.parse.AnswerParser;
import io.mmedstream.eval.parse.ModelOutput;
import io.mmedstream.eval.parse.ParsedAnswer;
import io.mmedstream.eval.report.AccuracyChart;
import io.mmedstream.eval.report.CheckpointAccuracy;
import io.mmedstream.eval.report.JsonReport;
import io.mmedstream.eval.report.LeaderboardCsv;
import io.mmedstream.eval.report.LeaderboardRow;
import io.mmedstream.eval.service.BenchmarkRunner.Answered;

/**
 * Scores the answers of one checkpoint with the scoring core and writes its report directory
 * {@code <reports>/<checkpoint>/}: {@code report.json} ({@link JsonReport}), {@code leaderboard.csv} (the benchmark's
 * submission format) and {@code accuracy.svg} (per-language accuracy across every checkpoint reported so far, in the
 * order their reports were written). Plain Java.
 */
public final class BenchmarkScorer {

    /** The figures of one evaluation. */
    public record Scored(AccuracySummary accuracy, RationaleSummary rationale) {
    }

    private final AnswerParser parser = new AnswerParser();

    /** Accuracy of every answer; rationale metrics (on human_check_passed items) when {@code withRationale}. */
    public Scored score(List<Answered> answers, boolean withRationale) {
        AccuracyTally accuracy = new AccuracyTally();
        RationaleTally rationale = withRationale ? new RationaleTally() : null;
        for (Answered a : answers) {
            BenchmarkQuestion q = a.question();
            ParsedAnswer parsed = parser.parse(a.output(), q.options());
            accuracy.record(q.language(), parsed, q.answer());
            if (rationale != null && q.humanCheckPassed()) {
                rationale.record(q.language(), ModelOutput.rationale(a.output()), q.rationale());
            }
        }
        return new Scored(accuracy.summary(), rationale == null ? null : rationale.summary());
    }

    /** Writes the report directory of {@code checkpoint} under {@code reports}; returns that directory. */
    public Path writeReport(Path reports, String checkpoint, List<Answered> answers, Scored scored) {
        Path dir = reports.resolve(safeName(checkpoint));
        try {
            Files.createDirectories(dir);
            List<LeaderboardRow> rows = answers.stream().map(a -> new LeaderboardRow(a.question().language(),
                    a.prompt(), a.output(), a.question().answerIdx())).toList();
            LeaderboardCsv.writeFile(dir.resolve("leaderboard.csv"), rows);
            JsonReport.writeFile(dir.resolve("report.json"), checkpoint, scored.accuracy(), scored.rationale());
            AccuracyChart.writeFile(dir.resolve("accuracy.svg"), history(reports));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report of " + checkpoint + " to " + dir, e);
        }
    }

    /** Every report under {@code reports}, oldest first. */
    static List<CheckpointAccuracy> history(Path reports) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(reports)) {
            dirs.map(d -> d.resolve("report.json")).filter(Files::isRegularFile).forEach(files::add);
        }
        files.sort(Comparator.comparing((Path p) -> {
            try {
                return Files.getLastModifiedTime(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).thenComparing(Path::toString));
        return files.stream().map(JsonReport::readAccuracyFile).toList();
    }

    /** A checkpoint id as a folder name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
    public static String safeName(String checkpoint) {
        String s = checkpoint.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
