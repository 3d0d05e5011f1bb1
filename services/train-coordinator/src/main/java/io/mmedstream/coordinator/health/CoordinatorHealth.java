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
 * Health of the coordinator loop. Ready while it runs a Kafka session as the elected coordinator (it has rebuilt its
 * state and polls); live unless it died (a restart is then what helps). A standby (another instance is the active
 * coordinator) and a coordinator reconnecting after a broker failure are live but not ready: a restart would not
 * help them, and the admin API of a standby answers 503.
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

    /** Readiness: the loop runs a session as the elected coordinator. */
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

    /** Liveness: the loop has not died. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {

        @Inject
        CoordinatorRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            CoordinatorLoop loop = runtime.loop();
            boolean up = loop == null || switch (loop.status().state()) {
                case FAILED -> false;
                default -> true;
            };
            return describe("train-coordinator", loop).status(up).build();
        }
    }
}
