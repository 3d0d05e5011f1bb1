package io.mmedstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import io.mmedstream.proto.Topics;

/**
 * Creates the pipeline's topics with their documented defaults: {@value #DEFAULT_PARTITIONS} partitions (the
 * train-coordinator's election topic {@link Topics#TRAIN_LEADER}: always one), the record size limit of
 * {@link Topics#MAX_RECORD_BYTES}, and a retention per topic. Existing topics are left as they are.
 *
 * <p>Overrides: environment {@code MMED_TOPIC_PARTITIONS} (all topics) and {@code MMED_TOPIC_RETENTION_MS}.
 */
public final class TopicLayout {

    /** Partitions per topic unless overridden. */
    public static final int DEFAULT_PARTITIONS = 3;
    /**
     * Retention of the document topics: 7 days. Rejections and drops stay 30 days; shard announcements, training
     * rounds (compacted), checkpoint announcements, evaluation results, promotions and the filter's dedup state
     * (compacted) forever.
     */
    public static final long DOCS_RETENTION_MS = Duration.ofDays(7).toMillis();
    public static final long DEAD_LETTER_RETENTION_MS = Duration.ofDays(30).toMillis();

    private TopicLayout() {
    }

    /** The topics to create, each with its configs. */
    public static List<NewTopic> topics(int partitions, short replication) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : Topics.ALL) {
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(Topics.MAX_RECORD_BYTES));
            long retention = switch (name) {
                case Topics.DOCS_REJECTED, Topics.DOCS_DROPPED, Topics.DOCS_FILTER_DLQ -> DEAD_LETTER_RETENTION_MS;
                case Topics.SHARDS_READY, Topics.TRAIN_ROUNDS, Topics.TRAIN_LEADER, Topics.CHECKPOINTS,
                        Topics.FILTER_DEDUP_EXACT, Topics.FILTER_DEDUP_MINHASH, Topics.EVAL_RESULTS,
                        Topics.MODELS_PROMOTED -> -1L;
                default -> Long.getLong("mmed.topic.retention.ms", envLong("MMED_TOPIC_RETENTION_MS", DOCS_RETENTION_MS));
            };
            configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention));
            if (name.equals(Topics.TRAIN_ROUNDS) || name.equals(Topics.FILTER_DEDUP_EXACT)
                    || name.equals(Topics.FILTER_DEDUP_MINHASH)) {
                // The latest state per key, forever: the train-coordinator's rounds; the filter's dedup state (the
                // exact one co-partitioned with mmed.docs.ingested.v1, hence the same partition count as every topic).
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            // The coordinator's election topic must have one partition: its holder is the one active coordinator.
            int count = name.equals(Topics.TRAIN_LEADER) ? 1 : partitions;
            topics.add(new NewTopic(name, count, replication).configs(configs));
        }
        return topics;
    }

    /** Partition count from the environment, else the default. */
    public static int configuredPartitions() {
        return (int) envLong("MMED_TOPIC_PARTITIONS", DEFAULT_PARTITIONS);
    }

    /** Creates every missing topic and waits until the broker has them. */
    public static void create(String bootstrapServers, int partitions) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics(partitions, (short) 1).stream()
                    .filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the pipeline topics on " + bootstrapServers + ": " + e, e);
        }
    }

    private static long envLong(String name, long fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
    }
}
