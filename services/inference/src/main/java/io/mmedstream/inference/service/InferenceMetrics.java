package io.mmedstream.inference.service;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's metrics: counter {@code mmed.inference.requests{service,rpc,outcome}} (outcome = the gRPC status
 * code name), timer {@code mmed.processing.latency{service=inference,rpc}} (whole call, first byte to last), and
 * counter {@code mmed.inference.promotions{service,outcome}} (promotions read from Kafka).
 */
public final class InferenceMetrics {

    private static final String SERVICE = "inference";
    private final MeterRegistry registry;

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A promotion from Kafka: outcome {@code promoted}, {@code already-serving} (a replay: nothing loaded),
     * {@code failed} or {@code unreadable} (a bad record).
     */
    public void promotion(String outcome) {
        Counter.builder("mmed.inference.promotions").tag("service", SERVICE).tag("outcome", outcome)
                .register(registry).increment();
    }

    /** One finished call. */
    public void request(String rpc, String outcome, Duration took) {
        Counter.builder("mmed.inference.requests").tag("service", SERVICE).tag("rpc", rpc).tag("outcome", outcome)
                .register(registry).increment();
        Timer.builder("mmed.processing.latency").tag("service", SERVICE).tag("rpc", rpc).register(registry)
                .record(took);
    }
}
