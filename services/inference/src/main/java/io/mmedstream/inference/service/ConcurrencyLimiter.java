package io.mmedstream.inference.service;

import java.util.concurrent.Semaphore;

/**
 * Bounds the requests running at once. No queue: a request over the limit fails at once with
 * {@link InferenceException.Reason#OVERLOADED} (RESOURCE_EXHAUSTED), so a client backs off instead of piling up
 * behind a slow backend.
 */
public final class ConcurrencyLimiter {

    private final int limit;
    private final Semaphore permits;

    public ConcurrencyLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    /** Takes a permit, or fails with OVERLOADED; release it exactly once with {@link #release()}. */
    public void acquire() {
        if (!permits.tryAcquire()) {
            throw new InferenceException(InferenceException.Reason.OVERLOADED,
                    "all " + limit + " request slots are busy; retry later");
        }
    }

    public void release() {
        permits.release();
    }

    /** Requests running now. */
    public int inFlight() {
        return limit - permits.availablePermits();
    }
}
