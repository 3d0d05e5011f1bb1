package io.mmedstream.coordinator.dispatch;

import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.Round;

/**
 * Runs the attempts of training rounds somewhere: {@link LocalDispatcher} (a child process on this machine, the
 * embedded default) or {@link KubernetesDispatcher} (a Job or a Kubeflow TrainJob).
 *
 * <p>Contract with the coordinator loop, which makes "never dispatch twice" hold across restarts: the loop first
 * persists the round as DISPATCHED with {@link #executionHandle} of the new attempt, then calls {@link #start}. An
 * execution is named by its round and attempt only, so starting an attempt whose execution exists already adopts it
 * instead of making a second one; after a restart the loop calls {@link #resume} for every DISPATCHED or RUNNING
 * round, which follows the execution when it still runs and starts the same attempt again (resuming from its last
 * checkpoint) when it is gone. Progress and the outcome arrive on the {@link ExecutionListener}, from any thread.
 */
public interface Dispatcher extends AutoCloseable {

    /** {@code local} or {@code kubernetes}: recorded in every round. */
    String name();

    /** Trainer processes of one attempt (GPUs in all): part of the batch geometry. */
    int worldSize();

    /** The directory (as a URI) a round's checkpoints go to; the same for every attempt. */
    String outputUri(String roundId);

    /** The handle of an attempt's execution, recorded in the round before the attempt starts. */
    String executionHandle(Round round, int attempt);

    /**
     * Starts the current attempt of a DISPATCHED round, or adopts its execution when it exists already.
     *
     * @throws CoordinatorException DISPATCH_RETRIABLE or DISPATCH_PERMANENT when it cannot be started (a failed
     *         attempt); DISPATCH_UNAVAILABLE when what starts it (the cluster's API) is unavailable for now: the
     *         coordinator then calls this again for the same attempt after a backoff, without counting an attempt,
     *         so whatever a failed call may have made must be adopted by the next one
     */
    Execution start(Round round, ExecutionListener listener);

    /**
     * Follows the current attempt of a DISPATCHED or RUNNING round after the coordinator (re)started: adopts the
     * execution if it still runs (or has finished and its outcome can still be read), else starts the attempt again.
     *
     * @throws CoordinatorException as {@link #start}
     */
    Execution resume(Round round, ExecutionListener listener);

    /** Stops and removes whatever still runs for a round that has ended (cancelled while the coordinator was down). */
    void cleanUp(Round round);

    /** Stops following executions; local child processes are asked to checkpoint and stop. */
    @Override
    void close();
}
