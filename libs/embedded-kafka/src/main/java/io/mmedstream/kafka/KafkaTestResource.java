package io.mmedstream.kafka;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The one Kafka test resource of every {@code @QuarkusTest}: a real KRaft broker in the test JVM, started once per
 * JVM and shared by every test class, with the pipeline topics created. Use it with
 * {@code @QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)} or
 * {@code @WithTestResource(KafkaTestResource.class)}.
 *
 * <p>Sets {@code kafka.bootstrap.servers} (which the SmallRye connector and every client of ours read) for the
 * application under test.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedBroker broker;

    /** The shared broker, started on first use. */
    public static synchronized EmbeddedBroker broker() {
        if (broker == null || !broker.isRunning()) {
            broker = EmbeddedBroker.start(0);
            TopicLayout.create(broker.bootstrapServers(), TopicLayout.DEFAULT_PARTITIONS);
            EmbeddedBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-broker-shutdown"));
        }
        return broker;
    }

    /** Bootstrap address of the shared broker. */
    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public Map<String, String> start() {
        String servers = bootstrapServers();
        return Map.of(
                "kafka.bootstrap.servers", servers,
                "mp.messaging.connector.smallrye-kafka.bootstrap.servers", servers);
    }

    @Override
    public void stop() {
        // Shared across test classes of this JVM; closed by the shutdown hook.
    }
}
