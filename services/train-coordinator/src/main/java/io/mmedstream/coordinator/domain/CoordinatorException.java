package io.mmedstream.coordinator.domain;

/**
 * The one exception type of the coordinator. Its reason decides what happens: the admin API maps it to an HTTP status
 * once ({@code api.CoordinatorExceptionMapper}); a dispatcher's reasons decide whether the attempt may be retried, or
 * (DISPATCH_UNAVAILABLE) is started again without counting as an attempt.
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
        /**
         * What the dispatcher starts attempts with is unavailable for now (the Kubernetes API did not answer, or
         * answered 429 or 5xx): nothing says the attempt itself would fail, so the coordinator starts the same attempt
         * again after a backoff, and the round's attempts are not used up.
         */
        DISPATCH_UNAVAILABLE(503, true),
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
    private final String detail;

    public CoordinatorException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public CoordinatorException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    /**
     * @param detail a short, lower snake case code of what exactly went wrong (e.g. {@code http_503}), for metrics;
     *        null when the reason says it all
     */
    public CoordinatorException(Reason reason, String message, Throwable cause, String detail) {
        super(message, cause);
        this.reason = reason;
        this.detail = detail;
    }

    public Reason reason() {
        return reason;
    }

    /** What exactly went wrong, as a short code for metrics: the detail given, else {@link Reason#code}. */
    public String detail() {
        return detail != null ? detail : reason.code();
    }
}
