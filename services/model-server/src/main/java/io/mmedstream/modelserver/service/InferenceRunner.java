package io.mmedstream.modelserver.service;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs generations off the gRPC threads: a fixed number of generation threads (each generation is CPU-bound and
 * already spreads its matrix products over the compute pool) and a bounded queue. A request that finds both full is
 * refused with {@link ModelServerException.Reason#OVERLOADED} (RESOURCE_EXHAUSTED) instead of waiting without bound.
 */
public final class InferenceRunner implements AutoCloseable {

    private final ThreadPoolExecutor executor;

    /**
     * @param threads generations that run at the same time
     * @param queueCapacity generations that may wait for a thread
     */
    public InferenceRunner(int threads, int queueCapacity) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, queueCapacity)), r -> {
                    Thread t = new Thread(r, "generate-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Queues a task; throws OVERLOADED when every thread and queue place is taken. */
    public void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            throw new ModelServerException(ModelServerException.Reason.OVERLOADED, "the model server is busy: "
                    + executor.getActiveCount() + " generations running and " + executor.getQueue().size()
                    + " waiting; retry later");
        }
    }

    /** Generations running or waiting. */
    public int pending() {
        return executor.getActiveCount() + executor.getQueue().size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
