package io.mmedstream.coordinator.domain;

/**
 * The one exception type of the coordinator. Its reason decides what happens: the admin API maps it to an HTTP status
 * once ({@code api.CoordinatorExceptionMapper}); a dispatcher's reasons decide whether the attempt may be retried.
 */
public class CoordinatorException extends RuntimeException {

    /** What went wrong. */
    public enum Reason {
        /** No round with that id (HTTP 404). */
        ROUND_NOT_FOUND(404, false),
        /** The round has ended; it cannot be cancelled (HTTP 409). */
        ROUND_ENDED(409, false),
        /** A round was asked for but none can be made now (HTTP 409): empty pool, or a round is live. */
        NOTHING_TO_TRAIN(409, false),
        /** The coordinator is not running (starting, reconnecting to Kafka, or stopped) (HTTP 503). */
        NOT_READY(503, true),
        /** The dispatcher could not start an attempt, but may succeed later (the attempt is retried). */
        DISPATCH_RETRIABLE(500, true),
        /** The dispatcher cannot start the round at all (trainer missing, bad configuration). */
        DISPATCH_PERMANENT(500, false);

        private final int httpStatus;
        private final boolean retriable;

        Reason(int httpStatus, boolean retriable) {
            this.httpStatus = httpStatus;
            this.retriable = retriable;
        }

        public int httpStatus() {
            return httpStatus;
        }

        public boolean retriable() {
            return retriable;
        }

        /** Lower snake case, as written in responses and round records. */
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    public CoordinatorException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CoordinatorException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
