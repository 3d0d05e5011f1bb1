package io.mmedstream.local.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.stack.BrokerCheck;
import io.mmedstream.local.stack.BrokerCheck;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;

/**
 * Reads eval's output from the beginning with a {@code read_committed} consumer: {@code mmed.eval.results.v1}
 * ({@code EvalCompleted}) and {@code mmed.models.promoted.v1} ({@code ModelPromoted}), and pairs them by checkpoint.
 * It keeps its position, so a live view's {@link #catchUp} reads only what is new. No consumer group, no commits.
 */
public final class EvaluationReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final List<String> TOPICS = List.of(Topics.EVAL_RESULTS, Topics.MODELS_PROMOTED);

    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<EvalCompleted> results = new AvroDeserializer<>(EvalCompleted.class);
    private final AvroDeserializer<ModelPromoted> promotions = new AvroDeserializer<>(ModelPromoted.class);
    /** Evaluations by checkpoint id (a repeated one keeps the newer record). */
    private final Map<String, EvalCompleted> evaluated = new LinkedHashMap<>();
    private final Map<String, ModelPromoted> promoted = new HashMap<>();
    private final List<ModelPromoted> promotionOrder = new ArrayList<>();
    private List<TopicPartition> partitions = List.of();

    private EvaluationReader(String bootstrap, KafkaConsumer<byte[], byte[]> consumer) {
        this.bootstrap = bootstrap;
        this.consumer = consumer;
    }

    /** A reader of eval's topics on {@code bootstrap}; connects on the first {@link #catchUp}. */
    public static EvaluationReader open(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(BrokerCheck.security());
        p.putAll(BrokerCheck.security());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "mmed-evaluations");
        return new EvaluationReader(bootstrap,
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /**
     * Reads both topics up to their end as of this call.
     *
     * @return every evaluation so far, oldest first, each with its promotion if it was promoted
     * @throws CommandException when Kafka does not answer within {@code timeout}, or a record cannot be decoded
     */
    public List<Evaluation> catchUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (partitions.isEmpty()) {
                assignAll(timeout);
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            List<TopicPartition> behind = new ArrayList<>(partitions);
            while (true) {
                behind.removeIf(tp -> consumer.position(tp, timeout) >= end.get(tp));
                if (behind.isEmpty()) {
                    return evaluations();
                }
                if (System.nanoTime() > deadline) {
                    throw new CommandException("reading eval's topics on " + bootstrap + " took longer than "
                            + timeout.toSeconds() + " s; still behind on " + behind);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    read(r);
                }
            }
        } catch (KafkaException e) {
            throw new CommandException("cannot read eval's topics from Kafka at " + bootstrap + ": " + e.getMessage()
                    + ". Is the stack up? (./mmed up)", e);
        }
    }

    /** The latest promotion of {@code model} read so far: the checkpoint eval says should serve. */
    public Optional<ModelPromoted> latestPromotion(String model) {
        for (int i = promotionOrder.size() - 1; i >= 0; i--) {
            if (promotionOrder.get(i).getModelName().equals(model)) {
                return Optional.of(promotionOrder.get(i));
            }
        }
        return Optional.empty();
    }

    private List<Evaluation> evaluations() {
        List<Evaluation> out = new ArrayList<>();
        evaluated.forEach((id, result) -> out.add(new Evaluation(result, Optional.ofNullable(promoted.get(id)))));
        // Results are keyed by checkpoint, so they spread over partitions: order them by when eval finished.
        out.sort(java.util.Comparator.comparing(e -> e.result().getOccurredAt()));
        return out;
    }

    private void assignAll(Duration timeout) {
        List<TopicPartition> all = new ArrayList<>();
        Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
        for (String topic : TOPICS) {
            for (PartitionInfo info : topics.getOrDefault(topic, List.of())) {
                all.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (all.isEmpty()) {
            throw new CommandException("Kafka at " + bootstrap + " has no " + Topics.EVAL_RESULTS
                    + " topic. Is it the MMedStream broker?");
        }
        consumer.assign(all);
        consumer.seekToBeginning(all);
        partitions = List.copyOf(all);
    }

    private void read(ConsumerRecord<byte[], byte[]> r) {
        // A record that cannot be read would make the table lie: fail loudly instead.
        if (r.topic().equals(Topics.EVAL_RESULTS)) {
            EvalCompleted result = results.decode(r.value());
            evaluated.put(result.getCheckpointId(), result);
        } else {
            ModelPromoted promotion = promotions.decode(r.value());
            promoted.put(promotion.getCheckpointId(), promotion);
            promotionOrder.add(promotion);
        }
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
