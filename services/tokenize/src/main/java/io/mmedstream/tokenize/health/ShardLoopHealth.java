package io.mmedstream.tokenize.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.tokenize.messaging.ShardCommitLoop;
import io.mmedstream.tokenize.messaging.ShardPipeline;

/**
 * Health of the consume-tokenize-commit loop, which runs outside SmallRye Reactive Messaging and so needs its own
 * checks: ready while it polls the broker with a live connection, live while its thread runs.
 */
public final class ShardLoopHealth {

    static final String NAME = "tokenize-shard-loop";

    private ShardLoopHealth() {
    }

    /** Ready: the loop is polling and connected to the broker. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {

        @Inject
        ShardPipeline pipeline;

        @Override
        public HealthCheckResponse call() {
            ShardCommitLoop.Status status = pipeline.status();
            return describe(HealthCheckResponse.named(NAME), status)
                    .status(status.state() == ShardCommitLoop.State.RUNNING && status.connected())
                    .build();
        }
    }

    /** Live: the loop's thread runs (before startup has started it, the process is still starting: live). */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {

        @Inject
        ShardPipeline pipeline;

        @Override
        public HealthCheckResponse call() {
            ShardCommitLoop.Status status = pipeline.status();
            boolean alive = !pipeline.started() || pipeline.loopThreadAlive()
                    || status.state() == ShardCommitLoop.State.STOPPED;
            return describe(HealthCheckResponse.named(NAME), status).status(alive).build();
        }
    }

    private static HealthCheckResponseBuilder describe(HealthCheckResponseBuilder builder,
            ShardCommitLoop.Status status) {
        builder.withData("state", status.state().name())
                .withData("connected", status.connected())
                .withData("partitions", status.partitions().toString());
        if (status.lastPollAt() != null) {
            builder.withData("last_poll", status.lastPollAt().toString());
        }
        if (status.lastError() != null) {
            builder.withData("last_error", status.lastError());
        }
        return builder;
    }
}
