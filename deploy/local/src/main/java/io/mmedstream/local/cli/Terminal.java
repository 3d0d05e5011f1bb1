package io.mmedstream.local.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a command writes: results to {@code out}, progress and messages to {@code err}. Progress is redrawn in place
 * only when {@code err} is a terminal; otherwise commands print a line now and then, which reads well in a log.
 */
public record Terminal(PrintStream out, PrintStream err, boolean interactive) {

    /** The process's own streams; interactive when stderr is a terminal (and {@code TERM} is not {@code dumb}). */
    public static Terminal system() {
        return new Terminal(System.out, System.err, stderrIsTerminal());
    }

    private static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            // Linux names the terminal behind each file descriptor; the JDK has no portable test for stderr alone.
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }

    /** A message for the user on stderr. */
    public void info(String message) {
        err.println(message);
        err.flush();
    }
}
