package io.mmedstream.filter.dedup;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmedstream.proto.Topics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;

/**
 * Builds the deduplication step with its Kafka-backed state, once per process, and starts reading the MinHash topic
 * at startup (the first batch waits for it). Metrics: {@code mmed.dedup.documents{kind}} (documents in the exact and
 * near indexes), {@code mmed.dedup.near.both.accepted} (near-duplicate pairs accepted by two replicas in the race
 * README "Deduplication" describes), {@code mmed.dedup.state.unreadable{topic}} and
 * {@code mmed.dedup.near.foreign.scheme}.
 */
@ApplicationScoped
public class DedupProducer {

    @Produces
    @Singleton
    @Startup
    KafkaDedupState dedupState(DedupConfig config, @ConfigProperty(name = "mmed.instance-id") String instanceId,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry registry) {
        DedupSettings settings = config.toSettings();
        ExactIndex exact = new ExactIndex();
        LshIndex near = new LshIndex(settings);
        Gauge.builder("mmed.dedup.documents", exact, ExactIndex::size).tag("kind", "exact")
                .description("Accepted documents in this instance's exact-dedup index").register(registry);
        Gauge.builder("mmed.dedup.documents", near, LshIndex::size).tag("kind", "near")
                .description("Accepted documents in the near-dedup index (all partitions)").register(registry);
        KafkaDedupState state = new KafkaDedupState(kafkaConfig, settings, Topics.DOCS_INGESTED, instanceId, exact,
                near, new MeteredEvents(registry));
        state.start();
        Log.infof("Deduplication: exact %s (%s), near %s (%s, %s, threshold %.2f)",
                settings.exactEnabled() ? "on" : "off", settings.exactTopic(), settings.nearEnabled() ? "on" : "off",
                settings.minhashTopic(), settings.scheme(), settings.threshold());
        return state;
    }

    @Produces
    @Singleton
    Deduplicator deduplicator(DedupConfig config, KafkaDedupState state,
            @ConfigProperty(name = "mmed.instance-id") String instanceId) {
        return new Deduplicator(config.toSettings(), instanceId, state.exactIndex(), state.nearIndex(), state);
    }

    void close(@Disposes KafkaDedupState state) {
        state.close();
    }

    /** Counts and logs what the state follower reports. */
    static final class MeteredEvents implements DedupEvents {
        private final MeterRegistry registry;

        MeteredEvents(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void nearDuplicatesBothAccepted(String mine, NearEntry theirs, double jaccard) {
            registry.counter("mmed.dedup.near.both.accepted").increment();
            Log.warnf("Near duplicates accepted by two replicas at about the same time: %s (here) and %s (instance %s, "
                    + "%s-%d@%d), estimated Jaccard %.3f", mine, theirs.docId(), theirs.instanceId(),
                    Topics.DOCS_INGESTED, theirs.partition(), theirs.offset(), jaccard);
        }

        @Override
        public void unreadableStateRecord(String topic, int partition, long offset, RuntimeException cause) {
            registry.counter("mmed.dedup.state.unreadable", "topic", topic).increment();
        }

        @Override
        public void foreignScheme(String docId, String scheme) {
            registry.counter("mmed.dedup.near.foreign.scheme").increment();
        }
    }
}
