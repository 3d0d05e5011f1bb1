package io.mmedstream.eval.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.eval.messaging.EvalService;

/** Health of the consumer loop: ready while it polls Kafka (also during an evaluation), live while it runs. */
public final class EvalHealth {

    private EvalHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final EvalService service;

        Ready(EvalService service) {
            this.service = service;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("eval-consumer").status(service.consumerHealthy()).build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        private final EvalService service;

        Live(EvalService service) {
            this.service = service;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("eval-consumer").status(service.consumerRunning()).build();
        }
    }
}
