package io.mmedstream.coordinator.messaging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmedstream.coordinator.domain.RoundStatus;

/**
 * The coordinator's meters: {@code mmed.records.in{service}} (shard announcements read),
 * {@code mmed.records.out{service,topic}} (round and checkpoint records committed),
 * {@code mmed.records.rejected{reason}} (unusable announcements), {@code mmed.rounds.ended{state}},
 * {@code mmed.train.dispatch.retries{reason}} (starts of an attempt put off because the dispatcher's backend was
 * unavailable; they use up no attempt), and gauges of the pool ({@code mmed.pool.shards}, {@code mmed.pool.tokens})
 * and of the live round ({@code mmed.train.step}, {@code mmed.train.loss}, {@code mmed.train.tokens.per.second}).
 */
public class CoordinatorMetrics {

    static final String SERVICE = "train-coordinator";

    private final MeterRegistry registry;
    private final Counter in;
    private final Map<String, Counter> out = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<RoundStatus, Counter> ended = new ConcurrentHashMap<>();
    private final Map<String, Counter> dispatchRetries = new ConcurrentHashMap<>();
    private final AtomicLong poolShards = new AtomicLong();
    private final AtomicLong poolTokens = new AtomicLong();
    private final AtomicLong step = new AtomicLong();
    private volatile double loss = Double.NaN;
    private volatile double tokensPerSecond = Double.NaN;

    public CoordinatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        in = Counter.builder("mmed.records.in").description("Shard announcements read").tag("service", SERVICE)
                .register(registry);
        Gauge.builder("mmed.pool.shards", poolShards, AtomicLong::get).description("Shards waiting for a round")
                .register(registry);
        Gauge.builder("mmed.pool.tokens", poolTokens, AtomicLong::get).description("Tokens waiting for a round")
                .register(registry);
        Gauge.builder("mmed.train.step", step, AtomicLong::get).description("Step of the live round")
                .register(registry);
        Gauge.builder("mmed.train.loss", this, m -> m.loss).description("Last training loss of the live round")
                .register(registry);
        Gauge.builder("mmed.train.tokens.per.second", this, m -> m.tokensPerSecond)
                .description("Throughput of the live round").register(registry);
    }

    void recordIn() {
        in.increment();
    }

    void recordOut(String topic, int count) {
        out.computeIfAbsent(topic, t -> Counter.builder("mmed.records.out").description("Records written (committed)")
                .tag("service", SERVICE).tag("topic", t).register(registry)).increment(count);
    }

    void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("mmed.records.rejected")
                .description("Unusable shard announcements, by reason").tag("reason", r).register(registry))
                .increment();
    }

    void roundEnded(RoundStatus status) {
        ended.computeIfAbsent(status, s -> Counter.builder("mmed.rounds.ended").description("Rounds that ended")
                .tag("state", s.name()).register(registry)).increment();
    }

    /** A start of an attempt failed because the dispatcher's backend is unavailable, and is tried again. */
    void dispatchRetried(String reason) {
        dispatchRetries.computeIfAbsent(reason, r -> Counter.builder("mmed.train.dispatch.retries")
                .description("Starts of an attempt tried again because the dispatcher was unavailable, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    void pool(long shards, long tokens) {
        poolShards.set(shards);
        poolTokens.set(tokens);
    }

    void live(long currentStep, Double currentLoss, Double currentTokensPerSecond) {
        step.set(currentStep);
        loss = currentLoss == null ? Double.NaN : currentLoss;
        tokensPerSecond = currentTokensPerSecond == null ? Double.NaN : currentTokensPerSecond;
    }
}
