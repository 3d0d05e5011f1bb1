package io.mmedstream.coordinator.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.quarkus.logging.Log;

/**
 * Which coordinator instance is the active one: the member of the election group that holds partition 0 of the
 * election topic (a topic of one partition that no one writes to). Kafka's group protocol guarantees that one member
 * at most holds a partition in a generation; the cooperative sticky assignor leaves the partition with its holder
 * when other instances join, so a standby joining (or a stepped-down instance coming back) never takes it from a
 * live leader. A leader that stops polling for longer than {@code max.poll.interval.ms}, or whose session times out,
 * is removed from the group and the partition moves to a standby.
 *
 * <p>Only the holder initialises the transactional producer, so a fenced instance cannot fence the active one back:
 * it must first be assigned the partition again, which happens only when the active one has left the group.
 *
 * <p>Not thread-safe: used by the coordinator loop's thread only.
 */
final class LeaderElection implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private boolean leading;
    private boolean joined;
    private boolean broken;
    private int generation = -1;

    /**
     * Joins the election group.
     *
     * @param kafka common client settings (bootstrap servers, security)
     * @param topic the election topic
     * @param groupId the election group
     * @param clientId client id of the consumer
     */
    LeaderElection(Map<String, Object> kafka, String topic, String groupId, String clientId) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // A static member (group.instance.id) would keep the partition through a restart; it must not: a replaced
        // pod is a new instance.
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.partition = new TopicPartition(topic, 0);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new KafkaException("election topic " + topic + " does not exist");
            }
            if (infos.size() > 1) {
                Log.warnf("election topic %s has %d partitions; the holder of partition 0 leads, but the topic should "
                        + "have one (a rebalance could then move leadership needlessly)", topic, infos.size());
            }
            consumer.subscribe(List.of(topic), new Listener());
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * Takes part in the group (heartbeats, rebalances) for up to {@code timeout}; must be called more often than
     * {@code max.poll.interval.ms}, else the group drops this instance and leadership moves.
     *
     * @return whether this instance leads now
     */
    boolean poll(Duration timeout) {
        try {
            consumer.poll(timeout); // the partition is paused: this never returns records
        } catch (RuntimeException e) {
            broken = true;
            leading = false;
            throw e;
        }
        return leading;
    }

    /** Whether a poll failed: the client is then closed and a new one joins. */
    boolean broken() {
        return broken;
    }

    /** Whether this instance held the partition at the last poll. */
    boolean leading() {
        return leading;
    }

    /** Whether a rebalance has completed since this instance joined, so that {@link #leading} is the group's answer. */
    boolean joined() {
        return joined;
    }

    /** The group generation in which this instance was given the partition; -1 when it does not lead. */
    int generation() {
        return leading ? generation : -1;
    }

    @Override
    public void close() {
        leading = false;
        // Leaving the group (close sends LeaveGroup) lets a standby take over at once instead of after a session
        // timeout.
        consumer.close(Duration.ofSeconds(5));
    }

    private final class Listener implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            joined = true; // called after every rebalance under the cooperative protocol, with nothing new or not
            if (assigned.contains(partition)) {
                consumer.pause(List.of(partition)); // nothing to read; membership is all that matters
                leading = true;
                generation = consumer.groupMetadata().generationId();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.contains(partition)) {
                leading = false;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            if (lost.contains(partition)) {
                leading = false;
            }
        }
    }
}
