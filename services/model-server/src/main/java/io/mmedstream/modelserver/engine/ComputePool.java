package io.mmedstream.modelserver.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The threads that run the forward pass's loops. Loops too small to pay for a hand-off run on the caller's thread;
 * larger ones are split over the pool (a fork/join pool, so several generations can share it without deadlock).
 */
public final class ComputePool implements AutoCloseable {

    /** A loop body over the index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Below this many multiply-adds a loop is not worth splitting. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;

    private final ForkJoinPool pool;
    private final int parallelism;

    /** @param threads worker threads; 0 or less means one per available processor */
    public ComputePool(int threads) {
        this.parallelism = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.pool = parallelism > 1 ? new ForkJoinPool(parallelism) : null;
    }

    /** A pool that runs everything on the caller's thread. */
    public static ComputePool singleThreaded() {
        return new ComputePool(1);
    }

    public int parallelism() {
        return parallelism;
    }

    /**
     * Runs {@code body} over [0, n), split across the pool when {@code n * workPerItem} is large enough.
     *
     * @param workPerItem rough multiply-adds per index, to decide whether splitting pays
     */
    public void parallelFor(int n, long workPerItem, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (pool == null || n == 1 || n * workPerItem < MIN_PARALLEL_WORK) {
            body.run(0, n);
            return;
        }
        int pieces = Math.min(n, parallelism * 4);
        int grain = Math.max(1, (n + pieces - 1) / pieces);
        pool.invoke(new Range(body, 0, n, grain));
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private static final class Range extends RecursiveAction {
        private final RangeBody body;
        private final int from;
        private final int to;
        private final int grain;

        Range(RangeBody body, int from, int to, int grain) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.grain = grain;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                body.run(from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid, grain), new Range(body, mid, to, grain));
        }
    }
}
