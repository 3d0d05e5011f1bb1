package io.mmedstream.coordinator.dispatch;

import java.time.Instant;
import java.util.Optional;

import io.mmedstream.coordinator.domain.Failure;

/** A running attempt of a round. */
public interface Execution {

    String roundId();

    int attempt();

    /**
     * Asks the attempt to stop (the trainer checkpoints on SIGTERM); its outcome then reports {@code reason} as the
     * failure. Idempotent: the first reason wins.
     */
    void stop(Failure reason);

    /** Whether the attempt has ended and its outcome was delivered. */
    boolean finished();

    /**
     * Since when the trainer has been able to run (process started, pod running); empty while it waits for resources
     * (a pending pod, a queued Job), when no stall can be judged.
     */
    Optional<Instant> activeSince();
}
