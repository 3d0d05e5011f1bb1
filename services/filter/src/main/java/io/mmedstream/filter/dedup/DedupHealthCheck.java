package io.mmedstream.filter.dedup;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the dedup state topics exist with as many partitions as the input topic, and the near-duplicate index
 * has been read in full once. Until then no batch can be decided (it would wait, then abort and be read again).
 */
@Readiness
@ApplicationScoped
public class DedupHealthCheck implements HealthCheck {

    private final KafkaDedupState state;

    @Inject
    public DedupHealthCheck(KafkaDedupState state) {
        this.state = state;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("filter dedup state")
                .withData("near-index-documents", state.nearIndex().size())
                .withData("exact-index-documents", state.exactIndex().size());
        String problem = state.problem();
        return problem == null ? response.up().build() : response.down().withData("problem", problem).build();
    }
}
