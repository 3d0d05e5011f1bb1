package io.mmedstream.tokenize.messaging;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.mmedstream.tokenize.config.TokenizeConfig;
import io.mmedstream.tokenize.service.ModelTokenizer;
import io.mmedstream.tokenize.service.ShardPolicy;
import io.mmedstream.tokenize.service.ShardStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Starts the tokenize service when the application starts: loads the tokenizer, prepares the shard storage and runs
 * the {@link ShardCommitLoop} on its own thread; on shutdown it lets the loop commit its open shards and stop.
 */
@ApplicationScoped
public class ShardPipeline {

    private static final String THREAD_NAME = "tokenize-shard-loop";

    @Inject
    TokenizeConfig config;

    @Inject
    MeterRegistry registry;

    /** Every {@code kafka.*} property (bootstrap servers, security settings), without the prefix. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private ModelTokenizer tokenizer;
    private ShardStore store;
    private ShardCommitLoop loop;
    private Thread thread;

    void onStart(@Observes StartupEvent event) throws IOException {
        tokenizer = loadTokenizer(config.tokenizer());
        store = new ShardStore(config.storage().dir()).ensureExists();
        Path tokenizerCopy = store.publishTokenizer(tokenizer);
        Log.infof("tokenizer %s loaded; shards go to %s, the tokenizer to %s", tokenizer, store.dir(),
                tokenizerCopy);
        TokenizeConfig.Kafka kafka = config.kafka();
        TokenizeConfig.Shard shard = config.shard();
        ShardCommitLoop.Settings settings = new ShardCommitLoop.Settings(new HashMap<>(kafkaConfig), kafka.groupId(),
                kafka.transactionalId(), kafka.maxPollRecords(), kafka.pollTimeout(), kafka.sessionTimeout(),
                kafka.retryBackoff(), kafka.maxRetryBackoff(), shard.seqLen(),
                new ShardPolicy(shard.targetTokens(), shard.maxIdle(), shard.maxAge()));
        loop = new ShardCommitLoop(settings, tokenizer, store, new TokenizeMetrics(registry));
        thread = new Thread(loop, THREAD_NAME);
        thread.setDaemon(true); // never holds the JVM up; shutdown waits for it below, within a bound
        // Libraries that look classes up by name (Avro, Kafka) fall back to the context class loader: make it the
        // application's, whichever thread happens to fire StartupEvent.
        thread.setContextClassLoader(ShardPipeline.class.getClassLoader());
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        loop.stop();
        try {
            thread.join(config.kafka().shutdownTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            Log.warnf("the tokenize loop did not stop within %s; its open shards are made again after the restart",
                    config.kafka().shutdownTimeout());
        } else {
            tokenizer.close();
        }
    }

    /** The loop's status, or a STARTING status before the loop exists. */
    public ShardCommitLoop.Status status() {
        ShardCommitLoop current = loop;
        return current == null
                ? new ShardCommitLoop.Status(ShardCommitLoop.State.STARTING, false, Set.of(), null, null)
                : current.status();
    }

    /** Whether the loop's thread is alive (it restarts its Kafka session itself; only an Error ends it). */
    public boolean loopThreadAlive() {
        Thread current = thread;
        return current != null && current.isAlive();
    }

    /** Whether startup has got as far as starting the loop thread. */
    public boolean started() {
        return thread != null;
    }

    private static ModelTokenizer loadTokenizer(TokenizeConfig.Tokenizer settings) {
        if (settings.path().isPresent()) {
            return ModelTokenizer.load(settings.path().get(), settings.name(), settings.eosToken().orElse(null));
        }
        if (!ModelTokenizer.DEFAULT_NAME.equals(settings.name()) || settings.eosToken().isPresent()) {
            throw new IllegalArgumentException("mmed.tokenize.tokenizer.name and .eos-token describe a tokenizer "
                    + "loaded from mmed.tokenize.tokenizer.path, which is not set; the bundled tokenizer is "
                    + ModelTokenizer.DEFAULT_NAME);
        }
        return ModelTokenizer.loadDefault();
    }
}
