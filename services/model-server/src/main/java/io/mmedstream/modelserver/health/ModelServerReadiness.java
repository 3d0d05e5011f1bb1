package io.mmedstream.modelserver.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ServerState;

/**
 * Ready when the start-up loads are done and the model repository is readable (what ServerReady reports); the
 * number of loaded model versions is shown, but an empty server is ready: in explicit mode models come when asked.
 */
@Readiness
@ApplicationScoped
public class ModelServerReadiness implements HealthCheck {

    private final ServerState state;
    private final ModelManager models;

    public ModelServerReadiness(ServerState state, ModelManager models) {
        this.state = state;
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        long ready = models.index(true).size();
        return HealthCheckResponse.named("model-server").status(state.isReady())
                .withData("repository", models.repository().root().toString())
                .withData("readyModelVersions", ready).build();
    }
}
