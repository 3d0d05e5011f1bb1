package io.mmedstream.modelserver.service;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.engine.TextGenerator;

/**
 * One loaded version of a model. Requests hold it through a {@link Lease}; once retired it takes no new lease, waits
 * for the leases it has given to end (cancelling them after the drain timeout), then frees the checkpoint.
 */
public final class ServedVersion {

    private final String model;
    private final long version;
    private final ModelConfiguration configuration;
    private final LoadedCheckpoint checkpoint;
    private final String fingerprint;
    private final Set<AtomicBoolean> forcedCancels = ConcurrentHashMap.newKeySet();
    private int leases;
    private boolean retired;
    private boolean closed;

    ServedVersion(String model, long version, ModelConfiguration configuration, LoadedCheckpoint checkpoint,
                  String fingerprint) {
        this.model = model;
        this.version = version;
        this.configuration = configuration;
        this.checkpoint = checkpoint;
        this.fingerprint = fingerprint;
    }

    public String model() {
        return model;
    }

    public long version() {
        return version;
    }

    public ModelConfiguration configuration() {
        return configuration;
    }

    public TextGenerator generator() {
        return checkpoint.generator();
    }

    String fingerprint() {
        return fingerprint;
    }

    /** A lease, or null when the version is retired. */
    synchronized Lease tryLease() {
        if (retired) {
            return null;
        }
        leases++;
        return new Lease();
    }

    synchronized int activeLeases() {
        return leases;
    }

    private synchronized void release(AtomicBoolean forced) {
        forcedCancels.remove(forced);
        leases--;
        notifyAll();
    }

    /**
     * Stops taking leases, waits for the current ones to end (cancelling them once {@code drain} has passed) and
     * frees the checkpoint. Blocks; run it off the request path.
     */
    void retire(Duration drain) throws InterruptedException {
        synchronized (this) {
            retired = true;
            long deadline = System.nanoTime() + drain.toNanos();
            while (leases > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    forcedCancels.forEach(f -> f.set(true)); // generations check this between tokens
                    wait(100);
                } else {
                    wait(Math.max(1, left / 1_000_000));
                }
            }
            if (closed) {
                return;
            }
            closed = true;
        }
        checkpoint.close();
    }

    /** A request's hold on this version; close it when the request ends. */
    public final class Lease implements AutoCloseable {
        private final AtomicBoolean forced = new AtomicBoolean();
        private boolean released;

        private Lease() {
            forcedCancels.add(forced);
        }

        public ServedVersion version() {
            return ServedVersion.this;
        }

        /** True once the version's drain timeout has passed during an unload: the request should stop. */
        public boolean forcedToStop() {
            return forced.get();
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                release(forced);
            }
        }
    }
}
