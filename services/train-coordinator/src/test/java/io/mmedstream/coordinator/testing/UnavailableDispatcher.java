package io.mmedstream.coordinator.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.mmedstream.coordinator.dispatch.Dispatcher;
import io.mmedstream.coordinator.dispatch.Execution;
import io.mmedstream.coordinator.dispatch.ExecutionListener;
import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.Round;

/**
 * A dispatcher whose backend is down for its first starts: each of the first {@code refusals} calls of
 * {@link #start} or {@link #resume} fails with {@code DISPATCH_UNAVAILABLE} (detail {@code http_503}) before it
 * reaches the real dispatcher, as the Kubernetes dispatcher does while the API server answers 503. Later calls go
 * through, or all of them once {@link #recover} is called. It counts the refused calls per round.
 */
public final class UnavailableDispatcher implements Dispatcher {

    private final Dispatcher delegate;
    private final AtomicInteger left;
    private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();

    public UnavailableDispatcher(Dispatcher delegate, int refusals) {
        this.delegate = delegate;
        this.left = new AtomicInteger(refusals);
    }

    /** How many starts of a round's attempts were refused so far. */
    public int refused(String roundId) {
        AtomicInteger n = refused.get(roundId);
        return n == null ? 0 : n.get();
    }

    /** Ends the outage: every later call goes through. */
    public void recover() {
        left.set(0);
    }

    private void refuse(Round round) {
        if (left.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            refused.computeIfAbsent(round.id(), id -> new AtomicInteger()).incrementAndGet();
            throw new CoordinatorException(CoordinatorException.Reason.DISPATCH_UNAVAILABLE, "cannot start round "
                    + round.id() + " attempt " + round.attempt() + ": the backend answered 503", null, "http_503");
        }
    }

    @Override
    public Execution start(Round round, ExecutionListener listener) {
        refuse(round);
        return delegate.start(round, listener);
    }

    @Override
    public Execution resume(Round round, ExecutionListener listener) {
        refuse(round);
        return delegate.resume(round, listener);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int worldSize() {
        return delegate.worldSize();
    }

    @Override
    public String outputUri(String roundId) {
        return delegate.outputUri(roundId);
    }

    @Override
    public String executionHandle(Round round, int attempt) {
        return delegate.executionHandle(round, attempt);
    }

    @Override
    public void cleanUp(Round round) {
        delegate.cleanUp(round);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
