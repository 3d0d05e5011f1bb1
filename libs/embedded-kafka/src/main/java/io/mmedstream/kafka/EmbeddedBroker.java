package io.mmedstream.kafka;

import java.util.Properties;

import io.mmedstream.proto.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;

/**
 * A real Apache Kafka KRaft node (combined broker and controller) from the Kafka jars on the classpath, configured
 * for the pipeline: large records ({@link Topics#MAX_RECORD_BYTES}) and transactions on a single node. The local
 * stack runs it in its own process ({@link BrokerMain}); tests run it in the test JVM ({@link KafkaTestResource}).
 */
public final class EmbeddedBroker implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;

    private EmbeddedBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** Cluster id of persistent local brokers: a data directory formatted once is reused by every later start. */
    static final String LOCAL_CLUSTER_ID = "mmedstream-local-0001";

    /**
     * Starts a broker whose data is deleted when it stops.
     *
     * @param port the client port, or 0 for a free one
     */
    public static EmbeddedBroker start(int port) {
        return start(port, null);
    }

    /**
     * Starts a broker.
     *
     * @param port the client port, or 0 for a free one
     * @param dataDir where the broker keeps its log and metadata across restarts, or null for a temporary directory
     *        deleted on close. A persistent broker uses {@code port + 1} for its controller, so both stay stable.
     */
    public static EmbeddedBroker start(int port, java.nio.file.Path dataDir) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withDeleteLogDirsOnClose(dataDir == null)
                .withAdditionalProperties(p -> {
                    pipelineProperties(p);
                    if (dataDir != null) {
                        p.put("log.dir", dataDir.toAbsolutePath().toString());
                    }
                });
        if (port > 0) {
            broker.withKafkaPort(port);
        }
        if (dataDir != null) {
            if (port <= 0) {
                throw new IllegalArgumentException("a persistent broker needs a fixed port");
            }
            broker.withClusterId(LOCAL_CLUSTER_ID).withControllerPort(port + 1);
        }
        broker.start();
        return new EmbeddedBroker(broker);
    }

    /** Broker settings every pipeline deployment needs; a production cluster sets the same (see docs/operations.md). */
    static void pipelineProperties(Properties p) {
        String max = String.valueOf(Topics.MAX_RECORD_BYTES);
        p.put("message.max.bytes", max);
        p.put("replica.fetch.max.bytes", max);
        p.put("socket.request.max.bytes", String.valueOf(Topics.MAX_RECORD_BYTES + 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", String.valueOf(TopicLayout.DEFAULT_PARTITIONS));
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Consumers of a single-node dev cluster should not wait for a share of a 30 s session to notice a kill -9.
        p.put("group.consumer.min.session.timeout.ms", "3000");
        p.put("group.min.session.timeout.ms", "3000");
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        String listeners = broker.getAdvertisedListeners();
        String first = listeners.split(",")[0];
        int scheme = first.indexOf("://");
        return scheme >= 0 ? first.substring(scheme + 3) : first;
    }

    public boolean isRunning() {
        return broker.isRunning();
    }

    @Override
    public void close() {
        broker.close();
    }
}
