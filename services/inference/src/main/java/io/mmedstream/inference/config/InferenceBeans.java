package io.mmedstream.inference.config;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.triton.client.TritonClient;

/** Builds the plain-Java service objects from the configuration. */
public class InferenceBeans {

    @Produces
    @Singleton
    TritonClient tritonClient(InferenceConfig config) {
        InferenceConfig.Triton t = config.triton();
        return TritonClient.connect(t.host(), t.port(),
                new TritonClient.Deadlines(t.callTimeout(), t.generationTimeout(), t.loadTimeout()));
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
        return new RequestValidator(config.generation().defaultMaxTokens(), config.generation().maxTokensLimit());
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
}
