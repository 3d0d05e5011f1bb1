package io.mmedstream.local.submit;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.cli.Format;
import io.mmedstream.local.cli.LiveView;
import io.mmedstream.local.cli.Terminal;

/** Sends every submission of a source with a {@link Submitter}, showing a progress bar, and says what it did. */
public final class SubmissionRun {

    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final int BAR_WIDTH = 24;

    /** What was written: documents and value bytes the broker acknowledged, and how long it took. */
    public record Result(long documents, long bytes, Duration elapsed) {

        /** {@code 412 documents (1.2 MB) in 0.8 s: 515 docs/s, 1.5 MB/s}. */
        public String describe() {
            return String.format(Locale.ROOT, "%s documents (%s) in %s: %s docs/s, %s MB/s",
                    Format.count(documents), Format.megabytes(bytes), Format.seconds(elapsed),
                    Format.rate(Format.perSecond(documents, elapsed)),
                    Format.rate(Format.perSecond(bytes / 1e6, elapsed)));
        }
    }

    private SubmissionRun() {
    }

    /**
     * Sends everything {@code source} holds and waits until the broker has acknowledged all of it.
     *
     * @throws CommandException when the broker fails to take a submission, or the source cannot be read
     */
    public static Result run(Submitter submitter, SubmissionSource source, Terminal terminal) {
        long started = System.nanoTime();
        try (LiveView view = LiveView.start(terminal, () -> progress(submitter, source, started), LOG_INTERVAL)) {
            byte[] value;
            while ((value = source.next()) != null) {
                submitter.send(value);
            }
            submitter.finish();
        } catch (IOException e) {
            throw new CommandException("cannot read the submissions: " + e.getMessage(), e);
        }
        return new Result(submitter.acknowledged(), submitter.acknowledgedBytes(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    static String progress(Submitter submitter, SubmissionSource source, long startedNanos) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
        double fraction = source.fractionRead();
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        long docs = submitter.acknowledged();
        long bytes = submitter.acknowledgedBytes();
        return String.format(Locale.ROOT, "submit [%s%s] %3.0f%%  %s docs  %s docs/s  %s MB/s",
                "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), fraction * 100, Format.count(docs),
                Format.rate(Format.perSecond(docs, elapsed)), Format.rate(Format.perSecond(bytes / 1e6, elapsed)));
    }
}
