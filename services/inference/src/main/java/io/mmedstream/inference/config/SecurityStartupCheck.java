package io.mmedstream.inference.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.mmedstream.inference.service.AccessPolicy;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Builds the access policy at start-up rather than on the first call, so that authentication switched on without
 * tokens (or with malformed ones) stops the service with the policy's message instead of failing every call.
 */
@ApplicationScoped
public class SecurityStartupCheck {

    void onStart(@Observes StartupEvent event, AccessPolicy access, InferenceConfig config) {
        if (access.enabled()) {
            Log.infof("gRPC API and /admin need a bearer token; clients %s; /admin for %s", access.tokens().clients(),
                    access.adminClients().map(Object::toString).orElse("every client"));
        } else {
            Log.warnf("authentication is OFF (mmed.inference.auth.enabled=false): anyone who reaches the gRPC port or"
                    + " /admin can use them");
        }
        if (config.rateLimit().enabled()) {
            Log.infof("rate limit per client: %s requests/s, burst %d", config.rateLimit().requestsPerSecond(),
                    config.rateLimit().burst());
        }
    }
}
