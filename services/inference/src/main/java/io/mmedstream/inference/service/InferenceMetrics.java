package io.mmedstream.inference.service;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's metrics: counter {@code mmed.inference.requests{service,rpc,outcome}} (outcome = the gRPC status
 * code name) and timer {@code mmed.processing.latency{service=inference,rpc}} (whole call, first byte to last).
 */
public final class InferenceMetrics {

    private static final String SERVICE = "inference";
    private final MeterRegistry registry;

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One finished call. */
    public void request(String rpc, String outcome, Duration took) {
        Counter.builder("mmed.inference.requests").tag("service", SERVICE).tag("rpc", rpc).tag("outcome", outcome)
                .register(registry).increment();
        Timer.builder("mmed.processing.latency").tag("service", SERVICE).tag("rpc", rpc).register(registry)
                .record(took);
    }
}
