package io.mmedstream.coordinator.dispatch;

import io.mmedstream.coordinator.service.AttemptOutcome;
import io.mmedstream.coordinator.service.TrainerEvent;

/**
 * Receives what executions report. Called from dispatcher threads; the coordinator loop queues the calls and applies
 * them on its own thread. Paths in events are already URIs as the coordinator stores them.
 */
public interface ExecutionListener {

    /** A progress event of attempt {@code attempt} of a round. */
    void progress(String roundId, int attempt, TrainerEvent event);

    /** Attempt {@code attempt} of a round ended; called once per execution. */
    void ended(String roundId, int attempt, AttemptOutcome outcome);
}
