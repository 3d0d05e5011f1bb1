package io.mmedstream.modelserver.service;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The server's own metrics (gRPC call metrics come from Quarkus): requests by model and outcome, prompt and generated
 * tokens by model, and the latency of whole generations.
 */
public final class ModelServerMetrics {

    private static final String SERVICE = "model-server";

    private final MeterRegistry registry;

    public ModelServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A finished request: outcome is "ok" or the failure reason in lower case. */
    public void request(String model, String outcome) {
        Counter.builder("mmed.inference.requests").tag("service", SERVICE).tag("model", model).tag("outcome", outcome)
                .register(registry).increment();
    }

    /** Tokens of a finished generation. */
    public void tokens(String model, int prompt, int completion) {
        Counter.builder("mmed.inference.tokens").tag("model", model).tag("kind", "prompt").register(registry)
                .increment(prompt);
        Counter.builder("mmed.inference.tokens").tag("model", model).tag("kind", "completion").register(registry)
                .increment(completion);
    }

    /** Wall time of one generation, prompt to last token. */
    public void latency(Duration took) {
        Timer.builder("mmed.processing.latency").tag("service", SERVICE).register(registry).record(took);
    }
}
