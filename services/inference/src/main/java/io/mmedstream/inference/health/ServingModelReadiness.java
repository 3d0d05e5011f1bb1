package io.mmedstream.inference.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.inference.service.ModelRouter;

/** Ready when a model version serves requests. */
@Readiness
@ApplicationScoped
public class ServingModelReadiness implements HealthCheck {

    @Inject
    ModelRouter router;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("serving-model");
        return router.serving().map(s -> builder.up().withData("model", s.model().toString())
                .withData("since", s.since().toString()).build()).orElseGet(() -> builder.down().build());
    }
}
