package io.mmedstream.eval.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.quarkus.logging.Log;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.domain.ServingModel;
import io.mmedstream.eval.report.CheckpointAccuracy;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;

/**
 * What eval has already published, read back from Kafka (read_committed): the checkpoints evaluated on each benchmark
 * ({@code mmed.eval.results.v1}) and the serving checkpoint per model (the latest {@code mmed.models.promoted.v1}
 * record of that model). Eval keeps no other state, so a restarted or second instance decides exactly as the first.
 * Used from the consumer thread only.
 */
final class ResultsView implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<EvalCompleted> completedDecoder = new AvroDeserializer<>(EvalCompleted.class);
    private final AvroDeserializer<ModelPromoted> promotedDecoder = new AvroDeserializer<>(ModelPromoted.class);
    private final Set<String> evaluated = new HashSet<>();
    private final Map<String, ServingModel> serving = new HashMap<>();

    /** @param kafka common Kafka client settings: bootstrap servers and security (every {@code kafka.*} property) */
    ResultsView(Map<String, Object> kafka) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG); // reads by assignment: no group
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.EVAL_RESULTS, Topics.MODELS_PROMOTED)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads everything committed so far. */
    void catchUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(30))
                < e.getValue())) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                apply(r);
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(Topics.EVAL_RESULTS)) {
                EvalCompleted e = completedDecoder.decode(r.value());
                evaluated.add(key(e.getCheckpointId(), e.getBenchmarkName()));
            } else {
                ModelPromoted m = promotedDecoder.decode(r.value());
                Map<Language, Double> accuracy = new EnumMap<>(Language.class);
                m.getAccuracyPerLanguage().forEach((name, a) -> Language.fromName(name)
                        .ifPresent(l -> accuracy.put(l, a)));
                serving.put(m.getModelName(), new ServingModel(m.getCheckpointId(), m.getModelVersion(),
                        new CheckpointAccuracy(m.getCheckpointId(), accuracy, m.getMeanAccuracy())));
            }
        } catch (RuntimeException e) {
            // Not ours to fix: a record eval cannot read does not describe an evaluation eval can rely on.
            Log.errorf(e, "eval: cannot read %s-%d@%d, left out of the results view", r.topic(), r.partition(),
                    r.offset());
        }
    }

    /** Whether this checkpoint already has a published result on this benchmark. */
    boolean evaluated(String checkpointId, String benchmarkName) {
        return evaluated.contains(key(checkpointId, benchmarkName));
    }

    /** The checkpoint serving as {@code model}, if one was promoted. */
    Optional<ServingModel> serving(String model) {
        return Optional.ofNullable(serving.get(model));
    }

    private static String key(String checkpointId, String benchmarkName) {
        return checkpointId + "\u0000" + benchmarkName;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
