package io.mmedstream.inference.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.inference.config.InferenceConfig;
import io.mmedstream.inference.messaging.PromotionFollower;
import io.mmedstream.inference.service.ModelRouter;

/**
 * Ready when a model version serves requests, and only then: whether Kafka is reachable does not change it (the
 * service serves what it has without Kafka), but the state of the promotions consumer is reported beside it.
 */
@Readiness
@ApplicationScoped
public class ServingModelReadiness implements HealthCheck {

    @Inject
    ModelRouter router;

    @Inject
    InferenceConfig config;

    @Inject
    Provider<PromotionFollower> follower;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("serving-model");
        if (config.promotions().enabled()) {
            PromotionFollower.Status s = follower.get().status();
            builder.withData("promotions", s.state().name());
            if (!s.problem().isEmpty()) {
                builder.withData("promotions-problem", s.problem());
            }
            s.latest().ifPresent(m -> builder.withData("latest-promotion", m.toString()));
        } else {
            builder.withData("promotions", "DISABLED");
        }
        return router.serving().map(s -> builder.up().withData("model", s.model().toString())
                .withData("since", s.since().toString()).build()).orElseGet(() -> builder.down().build());
    }
}
