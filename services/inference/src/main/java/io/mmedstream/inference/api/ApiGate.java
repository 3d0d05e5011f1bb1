package io.mmedstream.inference.api;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.mmedstream.inference.service.ClientRateLimiter;
import io.mmedstream.inference.service.ClientTokens;
import io.mmedstream.inference.service.InferenceMetrics;

/**
 * The gate in front of every gRPC service of this server: authenticates the call by its bearer token
 * ({@code authorization: Bearer <token>} metadata), then takes one call from the client's rate limit. Refused calls
 * end before the service sees them: UNAUTHENTICATED (no or unknown token) or RESOURCE_EXHAUSTED (over the rate).
 *
 * <p>Open services: {@code grpc.health.v1.Health} and server reflection (probes and tools need no token, and they
 * reveal nothing a client could not read in the published proto). Every other service, including one added later,
 * is behind the gate by default. With authentication off, every caller is the client {@value #ANONYMOUS} and shares
 * one rate limit.
 */
public final class ApiGate implements ServerInterceptor {

    // JBoss Logging rather than io.quarkus.logging.Log: this class also runs outside Quarkus (the plain-Java tools
    // in io.mmedstream.inference.tools), where Log refuses to work.
    private static final Logger LOG = Logger.getLogger(ApiGate.class);

    /** The authenticated client id, in the call's context. */
    public static final Context.Key<String> CLIENT_ID = Context.key("mmed-client-id");
    /** Client id of every caller when authentication is off. */
    public static final String ANONYMOUS = "anonymous";
    static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final ClientTokens tokens;
    private final ClientRateLimiter limiter;
    private final InferenceMetrics metrics;

    /**
     * @param tokens  the clients, or null for no authentication
     * @param limiter per-client rate limits, or null for none
     */
    public ApiGate(ClientTokens tokens, ClientRateLimiter limiter, InferenceMetrics metrics) {
        this.tokens = tokens;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (OPEN_SERVICES.contains(service)) {
            return next.startCall(call, headers);
        }
        String client = ANONYMOUS;
        if (tokens != null) {
            Optional<String> token = bearer(headers.get(AUTHORIZATION));
            if (token.isEmpty()) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(
                        "missing bearer token: send the metadata 'authorization: Bearer <token>'"));
            }
            Optional<String> id = tokens.authenticate(token.get());
            if (id.isEmpty()) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription("invalid bearer token"));
            }
            client = id.get();
        }
        if (limiter != null) {
            ClientRateLimiter.Verdict verdict = limiter.tryAcquire(client);
            if (!verdict.allowed()) {
                long retryMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(verdict.retryAfterNanos()));
                return refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(String.format(
                        "rate limit of client '%s' exceeded (%s requests/s, burst %d); retry in %d ms", client,
                        rate(verdict.rate().perSecond()), verdict.rate().burst(), retryMs)));
            }
        }
        Context context = Context.current().withValue(CLIENT_ID, client);
        return Contexts.interceptCall(context, call, headers, next);
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        String rpc = call.getMethodDescriptor().getBareMethodName();
        metrics.request(rpc == null ? call.getMethodDescriptor().getFullMethodName() : rpc,
                status.getCode().name(), Duration.ZERO);
        LOG.debugf("%s refused: %s", call.getMethodDescriptor().getFullMethodName(), status);
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** The token of an {@code authorization} value {@code Bearer <token>} (scheme case-insensitive). */
    static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static String rate(double perSecond) {
        return perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond) : Double.toString(perSecond);
    }
}
