package io.mmedstream.coordinator.domain;

/**
 * Why an attempt of a round failed.
 *
 * @param reason machine-readable code: the trainer's error reason ({@code bad_data}, {@code io}, ...) or one of the
 *        coordinator's ({@code exit_<code>}, {@code stalled}, {@code timed_out}, {@code dispatch_failed},
 *        {@code lost}, {@code no_checkpoint})
 * @param message human-readable explanation
 * @param retriable whether another attempt, resuming from the last checkpoint, may succeed
 */
public record Failure(String reason, String message, boolean retriable) {

    /** No progress for longer than the stall timeout. */
    public static final String STALLED = "stalled";
    /** The attempt ran longer than its time limit. */
    public static final String TIMED_OUT = "timed_out";
    /** The dispatcher could not start the attempt. */
    public static final String DISPATCH_FAILED = "dispatch_failed";
    /** The execution disappeared (its Job was deleted, its process vanished). */
    public static final String LOST = "lost";
    /** The trainer reported success but no checkpoint can be found. */
    public static final String NO_CHECKPOINT = "no_checkpoint";
}
