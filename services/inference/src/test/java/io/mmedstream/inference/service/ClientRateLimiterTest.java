package io.mmedstream.inference.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ClientRateLimiter limiter = new ClientRateLimiter(new ClientRateLimiter.Rate(10, 3),
            Map.of("batch", new ClientRateLimiter.Rate(1, 1)), now::get);

    @Test
    void aBurstPassesThenTheRateRefillsTheBucket() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("app").allowed()).isTrue();
        }
        ClientRateLimiter.Verdict refused = limiter.tryAcquire("app");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(limiter.tryAcquire("app").allowed()).isTrue();
        assertThat(limiter.tryAcquire("app").allowed()).isFalse();
        // Idle for long: the bucket fills up to the burst, no further.
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("app").allowed()).isTrue();
        }
        assertThat(limiter.tryAcquire("app").allowed()).isFalse();
    }

    @Test
    void eachClientHasItsOwnBucketAndOverrides() {
        assertThat(limiter.tryAcquire("batch").allowed()).isTrue();
        assertThat(limiter.tryAcquire("batch").allowed()).isFalse();
        assertThat(limiter.tryAcquire("batch").rate()).isEqualTo(new ClientRateLimiter.Rate(1, 1));
        assertThat(limiter.tryAcquire("app").allowed()).isTrue();
    }

    @Test
    void ratesMustBePositive() {
        assertThatThrownBy(() -> new ClientRateLimiter.Rate(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientRateLimiter.Rate(Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientRateLimiter.Rate(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
