package io.mmedstream.local.serving;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far eval is with a checkpoint, for the demo's live line: eval publishes nothing until an evaluation is done,
 * but logs every tenth answered question ({@code eval <checkpoint>: 12/30 questions answered}), so the newest such
 * line of its log is the progress. Best effort: no line (yet), or a log that cannot be read, is no progress.
 */
public final class EvalProgress {

    /** How much of the log's end is read: far more than the lines of one evaluation step. */
    private static final int TAIL_BYTES = 64 * 1024;

    private EvalProgress() {
    }

    /** The newest "answered/total" of {@code checkpointId} in eval's log, e.g. {@code 12/30}. */
    public static Optional<String> latest(Path evalLog, String checkpointId) {
        Pattern line = Pattern.compile("eval " + Pattern.quote(checkpointId) + ": (\\d+/\\d+) questions answered");
        try (RandomAccessFile file = new RandomAccessFile(evalLog.toFile(), "r")) {
            long start = Math.max(0, file.length() - TAIL_BYTES);
            byte[] tail = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(tail);
            Matcher m = line.matcher(new String(tail, StandardCharsets.UTF_8));
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            return Optional.ofNullable(last);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
