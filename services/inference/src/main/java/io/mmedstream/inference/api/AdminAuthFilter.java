package io.mmedstream.inference.api;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import io.mmedstream.inference.service.AccessPolicy;

/**
 * The same bearer authentication as the gRPC API, on the HTTP endpoints of this service's own (JAX-RS) resources:
 * {@code /admin/*}. 401 without a valid token, 403 for a client not in {@code mmed.inference.auth.admin-clients}.
 * Health ({@code /q/health/*}) and metrics ({@code /q/metrics}) are not JAX-RS resources and stay open for probes and
 * Prometheus.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AdminAuthFilter implements ContainerRequestFilter {

    // Looked up per request: JAX-RS providers are created while the application is built, before its configuration is.
    @Inject
    Instance<AccessPolicy> policy;

    @Override
    public void filter(ContainerRequestContext request) {
        AccessPolicy access = policy.get();
        if (!access.enabled()) {
            return;
        }
        Optional<String> token = ApiGate.bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        Optional<String> client = token.flatMap(access.tokens()::authenticate);
        if (client.isEmpty()) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"mmed-inference\"")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new AdminResource.ErrorBody("UNAUTHENTICATED", token.isEmpty()
                            ? "missing bearer token: send the header 'Authorization: Bearer <token>'"
                            : "invalid bearer token"))
                    .build());
            return;
        }
        if (!access.isAdmin(client.get())) {
            request.abortWith(Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON)
                    .entity(new AdminResource.ErrorBody("FORBIDDEN", "client '" + client.get()
                            + "' may not use /admin (mmed.inference.auth.admin-clients)"))
                    .build());
        }
    }
}
