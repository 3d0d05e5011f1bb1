package io.mmedstream.local.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.stack.TopicTail;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;

/**
 * Reads eval's output from the beginning ({@link TopicTail}): {@code mmed.eval.results.v1} ({@code EvalCompleted})
 * and {@code mmed.models.promoted.v1} ({@code ModelPromoted}), and pairs them by checkpoint. It keeps its position,
 * so a live view's {@link #catchUp} reads only what is new.
 */
public final class EvaluationReader implements AutoCloseable {

    private static final List<String> TOPICS = List.of(Topics.EVAL_RESULTS, Topics.MODELS_PROMOTED);

    private final TopicTail tail;
    private final AvroDeserializer<EvalCompleted> results = new AvroDeserializer<>(EvalCompleted.class);
    private final AvroDeserializer<ModelPromoted> promotions = new AvroDeserializer<>(ModelPromoted.class);
    /** Evaluations by checkpoint id (a repeated one keeps the newer record). */
    private final Map<String, EvalCompleted> evaluated = new LinkedHashMap<>();
    private final Map<String, ModelPromoted> promoted = new HashMap<>();
    private final List<ModelPromoted> promotionOrder = new ArrayList<>();

    private EvaluationReader(TopicTail tail) {
        this.tail = tail;
    }

    /** A reader of eval's topics on {@code bootstrap}; connects on the first {@link #catchUp}. */
    public static EvaluationReader open(String bootstrap) {
        return new EvaluationReader(TopicTail.open(bootstrap, "mmed-evaluations", TOPICS, "eval's topics", Map.of()));
    }

    /**
     * Reads both topics up to their end as of this call.
     *
     * @return every evaluation so far, oldest first, each with its promotion if it was promoted
     * @throws CommandException when Kafka does not answer within {@code timeout}, or a record cannot be decoded
     */
    public List<Evaluation> catchUp(Duration timeout) {
        tail.catchUp(timeout, this::read);
        return evaluations();
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
        out.sort(Comparator.comparing(e -> e.result().getOccurredAt()));
        return out;
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
        tail.close();
    }
}
