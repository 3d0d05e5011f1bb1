package io.mmedstream.inference.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: a client may make {@code burst} calls at once, and {@code rate} calls per second
 * sustained. A call over the limit is refused at once with how long until the next one is allowed (no queue: the
 * client backs off). Per-client overrides replace the default rate and burst for that client.
 */
public final class ClientRateLimiter {

    /** A rate: calls per second sustained, and the bucket's size. */
    public record Rate(double perSecond, int burst) {
        public Rate {
            if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1) {
                throw new IllegalArgumentException("a rate needs requests-per-second > 0 and burst >= 1, was "
                        + perSecond + "/s burst " + burst);
            }
        }
    }

    /** The verdict on one call: allowed, or refused with the wait until a call would be allowed. */
    public record Verdict(boolean allowed, long retryAfterNanos, Rate rate) {
    }

    private final Rate defaultRate;
    private final Map<String, Rate> overrides;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public ClientRateLimiter(Rate defaultRate, Map<String, Rate> overrides, LongSupplier nanoClock) {
        this.defaultRate = defaultRate;
        this.overrides = Map.copyOf(overrides);
        this.nanoClock = nanoClock;
    }

    public ClientRateLimiter(Rate defaultRate, Map<String, Rate> overrides) {
        this(defaultRate, overrides, System::nanoTime);
    }

    /** Takes one call from the client's bucket, if there is one. */
    public Verdict tryAcquire(String client) {
        Rate rate = overrides.getOrDefault(client, defaultRate);
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(rate, nanoClock.getAsLong()));
        return bucket.take(nanoClock.getAsLong());
    }

    private static final class Bucket {
        private final Rate rate;
        private final double nanosPerToken;
        private double tokens;
        private long last;

        Bucket(Rate rate, long now) {
            this.rate = rate;
            this.nanosPerToken = 1e9 / rate.perSecond();
            this.tokens = rate.burst();
            this.last = now;
        }

        synchronized Verdict take(long now) {
            if (now > last) {
                tokens = Math.min(rate.burst(), tokens + (now - last) / nanosPerToken);
                last = now;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return new Verdict(true, 0, rate);
            }
            return new Verdict(false, (long) Math.ceil((1 - tokens) * nanosPerToken), rate);
        }
    }
}
