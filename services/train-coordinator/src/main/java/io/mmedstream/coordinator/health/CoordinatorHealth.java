package io.mmedstream.coordinator.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.coordinator.config.CoordinatorRuntime;
import io.mmedstream.coordinator.messaging.CoordinatorLoop;

/**
 * Health of the coordinator loop. Ready while it runs a Kafka session (it has rebuilt its state and polls); live
 * unless it died or was fenced by another coordinator (a restart is then what helps, or nothing: the other one
 * works). Reconnecting after a broker failure is live but not ready.
 */
public final class CoordinatorHealth {

    private CoordinatorHealth() {
    }

    static HealthCheckResponseBuilder describe(String name, CoordinatorLoop loop) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name);
        if (loop == null) {
            return b.withData("state", "STARTING");
        }
        CoordinatorLoop.Status status = loop.status();
        b.withData("state", status.state().name());
        if (status.lastPollAt() != null) {
            b.withData("last_poll", status.lastPollAt().toString());
        }
        if (status.lastError() != null) {
            b.withData("last_error", status.lastError());
        }
        return b;
    }

    /** Readiness: the loop runs a session. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {

        @Inject
        CoordinatorRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            CoordinatorLoop loop = runtime.loop();
            boolean up = loop != null && loop.status().state() == CoordinatorLoop.State.RUNNING;
            return describe("train-coordinator", loop).status(up).build();
        }
    }

    /** Liveness: the loop has not died and was not fenced. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {

        @Inject
        CoordinatorRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            CoordinatorLoop loop = runtime.loop();
            boolean up = loop == null || switch (loop.status().state()) {
                case FAILED, FENCED -> false;
                default -> true;
            };
            return describe("train-coordinator", loop).status(up).build();
        }
    }
}
