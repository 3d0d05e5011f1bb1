package io.mmedstream.coordinator.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One training round: its fixed plan and where it stands. Immutable; every change makes a new value (see
 * {@link #toBuilder()}), so snapshots can be handed to other threads.
 *
 * @param plan what the round trains (never changes)
 * @param revision number of the last record persisted for this round (1 for PLANNED)
 * @param status where the round is
 * @param attempt attempts dispatched so far
 * @param execution the dispatcher's handle of the current attempt (null before the first dispatch)
 * @param notBefore a PLANNED round after a retriable failure waits until then (null otherwise)
 * @param dispatchedAt when the current attempt was dispatched; when its start came later (put off while the
 *        dispatcher was unavailable, or made again by a new session before the trainer reported anything), when it
 *        was started: its {@code attempt-timeout} counts from here
 * @param startedAt when the first progress arrived
 * @param finishedAt when the round reached a terminal state
 * @param progress what the trainer reported
 * @param checkpointId when SUCCEEDED, the announced checkpoint's id
 * @param checkpointUri when SUCCEEDED, the final checkpoint
 * @param failure when FAILED the reason; on a PLANNED retry, the failed attempt's
 * @param shardsReleased whether the shards went back to the pool (CANCELLED)
 * @param updatedAt when this state was reached
 */
public record Round(RoundPlan plan, long revision, RoundStatus status, int attempt, String execution,
        Instant notBefore, Instant dispatchedAt, Instant startedAt, Instant finishedAt, RoundProgress progress,
        String checkpointId, String checkpointUri, Failure failure, boolean shardsReleased, Instant updatedAt) {

    public Round {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(progress, "progress");
    }

    /** A new round, PLANNED, not yet persisted. */
    public static Round planned(RoundPlan plan) {
        return new Round(plan, 0, RoundStatus.PLANNED, 0, null, null, null, null, null, RoundProgress.NONE, null, null,
                null, false, plan.plannedAt());
    }

    public String id() {
        return plan.roundId();
    }

    /** A builder holding this round's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds the next value of a round. {@link #status(RoundStatus)} checks the move against
     * {@link RoundStatus#canMoveTo}.
     */
    public static final class Builder {
        private final RoundPlan plan;
        private long revision;
        private RoundStatus status;
        private int attempt;
        private String execution;
        private Instant notBefore;
        private Instant dispatchedAt;
        private Instant startedAt;
        private Instant finishedAt;
        private RoundProgress progress;
        private String checkpointId;
        private String checkpointUri;
        private Failure failure;
        private boolean shardsReleased;
        private Instant updatedAt;

        private Builder(Round r) {
            plan = r.plan;
            revision = r.revision;
            status = r.status;
            attempt = r.attempt;
            execution = r.execution;
            notBefore = r.notBefore;
            dispatchedAt = r.dispatchedAt;
            startedAt = r.startedAt;
            finishedAt = r.finishedAt;
            progress = r.progress;
            checkpointId = r.checkpointId;
            checkpointUri = r.checkpointUri;
            failure = r.failure;
            shardsReleased = r.shardsReleased;
            updatedAt = r.updatedAt;
        }

        public Builder revision(long value) {
            revision = value;
            return this;
        }

        /** Moves to {@code target}; throws when the state machine does not allow it. */
        public Builder status(RoundStatus target) {
            if (!status.canMoveTo(target)) {
                throw new IllegalStateException("round " + plan.roundId() + " cannot move from " + status + " to "
                        + target);
            }
            status = target;
            return this;
        }

        public Builder attempt(int value) {
            attempt = value;
            return this;
        }

        public Builder execution(String value) {
            execution = value;
            return this;
        }

        public Builder notBefore(Instant value) {
            notBefore = value;
            return this;
        }

        public Builder dispatchedAt(Instant value) {
            dispatchedAt = value;
            return this;
        }

        public Builder startedAt(Instant value) {
            startedAt = value;
            return this;
        }

        public Builder finishedAt(Instant value) {
            finishedAt = value;
            return this;
        }

        public Builder progress(RoundProgress value) {
            progress = Objects.requireNonNull(value);
            return this;
        }

        public Builder checkpoint(String id, String uri) {
            checkpointId = id;
            checkpointUri = uri;
            return this;
        }

        public Builder failure(Failure value) {
            failure = value;
            return this;
        }

        public Builder shardsReleased(boolean value) {
            shardsReleased = value;
            return this;
        }

        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        public Round build() {
            return new Round(plan, revision, status, attempt, execution, notBefore, dispatchedAt, startedAt,
                    finishedAt, progress, checkpointId, checkpointUri, failure, shardsReleased, updatedAt);
        }
    }
}
