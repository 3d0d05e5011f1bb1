package io.mmedstream.eval.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

import io.mmedstream.eval.config.EvalBeans;
import io.mmedstream.eval.config.EvalConfig;
import io.mmedstream.eval.service.CheckpointEvaluator;

/** Starts and stops the {@link CheckpointConsumer} loop with the application. */
@ApplicationScoped
public class EvalService {

    private final EvalConfig config;
    private final CheckpointEvaluator evaluator;
    private final MeterRegistry metrics;
    private final Map<String, Object> kafka;
    private final String transactionalId;
    private CheckpointConsumer loop;
    private Thread thread;

    EvalService(EvalConfig config, CheckpointEvaluator evaluator, MeterRegistry metrics,
                @Identifier("default-kafka-broker") Map<String, Object> kafka,
                @ConfigProperty(name = "quarkus.application.name") String application,
                @ConfigProperty(name = "mmed.instance-id", defaultValue = "local") String instanceId) {
        this.config = config;
        this.evaluator = evaluator;
        this.metrics = metrics;
        // Every kafka.* property (bootstrap servers, and the security settings of docs/configuration.md).
        this.kafka = new HashMap<>(kafka);
        this.transactionalId = application + "-" + instanceId;
    }

    void start(@Observes StartupEvent event) {
        if (!config.consumer().enabled()) {
            Log.info("eval: consumer disabled (mmed.eval.consumer.enabled=false)");
            return;
        }
        Log.infof("eval: benchmark %s with %d questions, model %s in %s, backend %s:%d, promotion margin %.2f "
                        + "tolerance %.2f", EvalBeans.benchmarkName(config), evaluator.benchmarkSize(),
                config.modelName(), config.modelRepository(), config.backend().host(), config.backend().port(),
                config.promotion().margin(), config.promotion().tolerance());
        loop = new CheckpointConsumer(kafka, config.consumer().groupId(), transactionalId,
                config.consumer().pollTimeout(), EvalBeans.benchmarkName(config), config.modelName(), evaluator,
                new CheckpointConsumer.RetryPolicy(config.consumer().retryBackoff(), config.consumer().maxRetryBackoff(),
                        config.consumer().maxAttempts()),
                metrics);
        thread = new Thread(loop, "eval-consumer");
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(Duration.ofSeconds(5).toMillis());
            // Still blocked in a Kafka call (broker unreachable, a transaction commit): interrupt it. An interrupted
            // transaction is aborted by the broker (fenced on restart), and the checkpoint is read again.
            thread.interrupt();
            thread.join(Duration.ofSeconds(10).toMillis());
        }
    }

    /** Readiness: the loop polls Kafka (true when the consumer is disabled). */
    public boolean consumerHealthy() {
        return !config.consumer().enabled() || (loop != null && loop.healthy());
    }

    /** Liveness: the loop has not stopped (true when the consumer is disabled). */
    public boolean consumerRunning() {
        return !config.consumer().enabled() || (loop != null && loop.running());
    }
}
