package io.mmedstream.coordinator.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock, except that while {@link #stall stalled} it blocks one thread (a coordinator's loop, which reads
 * the clock after every poll) as a long garbage-collection pause or a hung disk would: the thread stops taking part
 * in its consumer group while its Kafka clients' background threads carry on.
 */
public final class StallableClock extends Clock {

    private final Clock base = Clock.systemUTC();
    private final Object lock = new Object();
    private volatile Thread victim;
    private boolean stalled;
    private boolean blocked;

    /** The thread that {@link #stall} blocks. */
    void victim(Thread thread) {
        this.victim = thread;
    }

    /** From now on the victim blocks at its next reading of the clock, until {@link #resume}. */
    public void stall() {
        synchronized (lock) {
            stalled = true;
        }
    }

    /** Whether the victim is blocked right now. */
    public boolean blocked() {
        synchronized (lock) {
            return blocked;
        }
    }

    /** Lets the victim go on. */
    public void resume() {
        synchronized (lock) {
            stalled = false;
            lock.notifyAll();
        }
    }

    @Override
    public Instant instant() {
        if (Thread.currentThread() == victim) {
            synchronized (lock) {
                while (stalled) {
                    blocked = true;
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } finally {
                        blocked = false;
                    }
                }
            }
        }
        return base.instant();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return base.withZone(zone);
    }
}
