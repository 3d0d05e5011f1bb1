package io.mmedstream.inference.config;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmedstream.inference.api.ApiGate;
import io.mmedstream.inference.messaging.PromotionFollower;
import io.mmedstream.inference.service.AccessPolicy;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ClientRateLimiter;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.triton.client.TritonClient;
import io.quarkus.grpc.GlobalInterceptor;

/** Builds the plain-Java service objects from the configuration. */
public class InferenceBeans {

    /** Prefix of the Kafka client settings passed to the promotions consumer ({@code kafka.bootstrap.servers}...). */
    static final String KAFKA_PREFIX = "kafka.";

    @Produces
    @Singleton
    TritonClient tritonClient(InferenceConfig config) {
        InferenceConfig.Triton t = config.triton();
        return backendClient(t.host(), t.port(),
                new TritonClient.Deadlines(t.callTimeout(), t.generationTimeout(), t.loadTimeout()));
    }

    /**
     * The client of the backend, as the service uses it (also what {@code InferenceBench} measures): one plaintext
     * HTTP/2 connection for every call, streams multiplexed on it. Its callbacks run on the connection's event loop
     * ({@code directExecutor}) instead of hopping to grpc-java's default executor: what they do is short and never
     * blocks (hand a chunk to the API call's stream, complete a future), and each hop is a thread wake-up on every
     * streamed message, which costs the most on a loaded machine.
     */
    public static TritonClient backendClient(String host, int port, TritonClient.Deadlines deadlines) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
        return new TritonClient(channel, deadlines, true, true);
    }

    void closeClient(@Disposes TritonClient client) {
        client.close();
    }

    @Produces
    @Singleton
    ModelRouter modelRouter(TritonClient client, InferenceConfig config) {
        InferenceConfig.Model m = config.model();
        return new ModelRouter(new TritonModelBackend(client), m.backend(), m.readyTimeout(), m.drainTimeout(),
                Duration.ofMillis(200), Clock.systemUTC());
    }

    @Produces
    @Singleton
    RequestValidator requestValidator(InferenceConfig config) {
        InferenceConfig.Limits l = config.limits();
        return new RequestValidator(config.generation().defaultMaxTokens(), config.generation().maxTokensLimit(),
                new RequestValidator.Limits(l.promptMaxBytes(), l.maxOptions(), l.optionMaxBytes(), l.maxStop(),
                        l.stopMaxBytes()));
    }

    @Produces
    @Singleton
    GenerationService generationService(TritonClient client, ModelRouter router, InferenceConfig config) {
        return new GenerationService(client, router, new ConcurrencyLimiter(config.generation().maxConcurrent()));
    }

    @Produces
    @Singleton
    InferenceMetrics inferenceMetrics(MeterRegistry registry) {
        return new InferenceMetrics(registry);
    }

    @Produces
    @Singleton
    AnswerService answerService(GenerationService generations, InferenceConfig config) {
        return new AnswerService(generations, config.answer().maxTokens(), config.answer().rationaleMaxTokens());
    }

    /** Fails start-up (see {@link SecurityStartupCheck}) when authentication is on without valid tokens. */
    @Produces
    @Singleton
    AccessPolicy accessPolicy(InferenceConfig config) {
        InferenceConfig.Auth a = config.auth();
        return AccessPolicy.fromConfig(a.enabled(), a.tokens(), a.adminClients());
    }

    /** Authentication and rate limits in front of every gRPC service but health and reflection. */
    @Produces
    @Singleton
    @GlobalInterceptor
    ApiGate apiGate(AccessPolicy access, InferenceConfig config, InferenceMetrics metrics) {
        return new ApiGate(access.tokens(), rateLimiter(config.rateLimit()), metrics);
    }

    static ClientRateLimiter rateLimiter(InferenceConfig.RateLimit r) {
        if (!r.enabled()) {
            return null;
        }
        Map<String, ClientRateLimiter.Rate> overrides = new HashMap<>();
        r.clients().forEach((id, rate) -> overrides.put(id,
                new ClientRateLimiter.Rate(rate.requestsPerSecond(), rate.burst())));
        return new ClientRateLimiter(new ClientRateLimiter.Rate(r.requestsPerSecond(), r.burst()), overrides);
    }

    @Produces
    @Singleton
    PromotionFollower promotionFollower(ModelRouter router, InferenceConfig config, InferenceMetrics metrics,
                                        Config all) {
        InferenceConfig.Promotions p = config.promotions();
        return new PromotionFollower(kafkaSettings(all), router, p.model(), p.retryBackoff(), p.retryMaxBackoff(),
                metrics, Clock.systemUTC());
    }

    void closeFollower(@Disposes PromotionFollower follower) {
        follower.close();
    }

    /**
     * Every non-empty {@code kafka.*} setting without its prefix: {@code kafka.bootstrap.servers}, and the security
     * settings a production cluster needs ({@code kafka.security.protocol}, {@code kafka.sasl.*},
     * {@code kafka.ssl.*}).
     */
    static Map<String, Object> kafkaSettings(Config all) {
        Map<String, Object> kafka = new LinkedHashMap<>();
        for (String name : all.getPropertyNames()) {
            if (name.startsWith(KAFKA_PREFIX) && !name.startsWith("kafka.devservices")) {
                all.getOptionalValue(name, String.class).filter(v -> !v.isBlank())
                        .ifPresent(v -> kafka.put(name.substring(KAFKA_PREFIX.length()), v));
            }
        }
        return kafka;
    }
}
