package io.mmedstream.eval;

/**
 * The one failure type of the eval service: input that cannot be scored, with a reason a caller can act on. Every
 * message names the file (and line or row) at fault, so a user can fix the input without a stack trace.
 */
public final class EvalException extends RuntimeException {

    /** Why the input cannot be used. */
    public enum Reason {
        /** A benchmark {@code <Language>.jsonl} file is missing, unreadable or holds an invalid record. */
        BAD_BENCHMARK,
        /** A leaderboard CSV is missing, unreadable or malformed. */
        BAD_PREDICTIONS,
        /** A prediction row matches no benchmark record. */
        UNMATCHED_PREDICTION,
        /** A report or chart cannot be read or written. */
        REPORT_IO
    }

    private final Reason reason;

    public EvalException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EvalException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
