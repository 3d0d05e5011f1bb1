package io.mmedstream.coordinator.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a training round and the moves between them:
 *
 * <pre>
 * PLANNED ──► DISPATCHED ──► RUNNING ──► SUCCEEDED
 *    ▲  │          │  │         │ │
 *    │  │          │  └─────────┼─┼──► FAILED      (permanent failure, or attempts used up)
 *    │  └──────────┴────────────┴─┼──► CANCELLED   (on request; shards back to the pool)
 *    └────────────────────────────┘                (retriable failure: attempt + 1 after a backoff)
 * </pre>
 *
 * <p>A round whose attempt cannot be started because the dispatcher is unavailable (the Kubernetes API is out) does
 * not move: it stays DISPATCHED with the same attempt, which is started again after a backoff.
 */
public enum RoundStatus {
    PLANNED, DISPATCHED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** SUCCEEDED, FAILED or CANCELLED: nothing moves a round out of these. */
    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** DISPATCHED or RUNNING: an execution exists (or should). */
    public boolean executing() {
        return this == DISPATCHED || this == RUNNING;
    }

    /** The states a round may move to from this one (staying in RUNNING records progress). */
    public Set<RoundStatus> next() {
        return switch (this) {
            case PLANNED -> EnumSet.of(DISPATCHED, FAILED, CANCELLED);
            case DISPATCHED -> EnumSet.of(RUNNING, PLANNED, SUCCEEDED, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(RUNNING, PLANNED, SUCCEEDED, FAILED, CANCELLED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(RoundStatus.class);
        };
    }

    /** Whether a round in this state may move to {@code target}. */
    public boolean canMoveTo(RoundStatus target) {
        return next().contains(target);
    }
}
