package io.mmedstream.coordinator.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.RoundIds;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.domain.Trigger;

/**
 * Turns a due decision of the {@link RoundPolicy} into the fixed plan of a round: its language mix, its parent
 * checkpoint (the lineage's last checkpoint, else the configured base checkpoint, else a fresh model), its step count
 * and the trainer arguments every attempt will get.
 *
 * <p>Steps: a step trains {@code micro-batch x grad-accum x world-size} windows of {@code seq_len} tokens; a round
 * trains {@code ceil(tokens x epochs / tokens-per-step)} steps, at least {@code minSteps} and at most
 * {@code maxSteps} (when set).
 */
public final class RoundPlanner {

    /**
     * How rounds train.
     *
     * @param epochs passes over the round's tokens (fractions allowed)
     * @param minSteps fewest steps of a round
     * @param maxSteps most steps of a round (0: no limit)
     * @param microBatchSize windows per forward pass per process
     * @param gradAccum micro-batches per step
     * @param learningRate peak learning rate when the lineage started from a base checkpoint
     * @param freshLearningRate peak learning rate when the lineage started from a fresh model
     * @param saveEvery checkpoint interval in steps
     * @param seqLen training sequence length (0: the shards' own)
     * @param extraArgs further trainer arguments, passed as given
     * @param maxAttempts attempts per round
     */
    public record Training(double epochs, int minSteps, int maxSteps, int microBatchSize, int gradAccum,
            double learningRate, double freshLearningRate, int saveEvery, int seqLen, List<String> extraArgs,
            int maxAttempts) {

        public Training {
            if (!(epochs > 0) || minSteps < 1 || maxSteps < 0 || microBatchSize < 1 || gradAccum < 1
                    || !(learningRate > 0) || !(freshLearningRate > 0) || saveEvery < 0 || seqLen < 0
                    || maxAttempts < 1) {
                throw new IllegalArgumentException("invalid training settings: " + this);
            }
            extraArgs = List.copyOf(extraArgs);
        }
    }

    /**
     * Where the lineage starts.
     *
     * @param baseCheckpointUri a Hugging Face model directory the first round continues from; empty: a fresh model
     * @param freshConfig the config.json of a fresh model for the round's first shard (vocabulary of its tokenizer)
     */
    public record ModelSource(Optional<String> baseCheckpointUri, Function<PooledShard, String> freshConfig) {
    }

    /** The parent of a new round: the lineage's last checkpoint, if any. */
    public record Parent(String checkpointId, String checkpointUri) {
    }

    /** Id of the configured base checkpoint as a parent. */
    public static final String BASE_CHECKPOINT_ID = "base";

    private final Training training;
    private final LanguageMixer mixer;
    private final ModelSource model;
    private final String dispatcher;
    private final int worldSize;
    private final Function<String, String> outputUri;

    /**
     * @param dispatcher name of the dispatcher that will run the rounds
     * @param worldSize trainer processes of one round (GPUs in all)
     * @param outputUri the checkpoint directory of a round, by round id
     */
    public RoundPlanner(Training training, LanguageMixer mixer, ModelSource model, String dispatcher, int worldSize,
            Function<String, String> outputUri) {
        this.training = Objects.requireNonNull(training, "training");
        this.mixer = Objects.requireNonNull(mixer, "mixer");
        this.model = Objects.requireNonNull(model, "model");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size must be positive: " + worldSize);
        }
        this.worldSize = worldSize;
        this.outputUri = Objects.requireNonNull(outputUri, "outputUri");
    }

    /**
     * The plan of a round over {@code shards}, or empty with the reason when no language of theirs can be trained
     * on (see {@link LanguageMixer}).
     *
     * @param parent the lineage's last checkpoint; null when no round has succeeded yet
     */
    public PlanAttempt plan(long number, Trigger trigger, Instant now, List<PooledShard> shards, Parent parent) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a round needs shards");
        }
        Map<String, Long> tokensPerLang = new TreeMap<>();
        long tokens = 0;
        for (PooledShard shard : shards) {
            tokens += shard.tokenCount();
            shard.tokensPerLang().forEach((lang, n) -> tokensPerLang.merge(lang, n, Long::sum));
        }
        int seqLen = training.seqLen() > 0 ? training.seqLen() : commonSeqLen(shards);
        LanguageMixer.Mix mix = mixer.mix(tokensPerLang, seqLen);
        if (mix.empty()) {
            return new PlanAttempt(null, "no language of the " + shards.size() + " shards can be trained on: "
                    + mix.left());
        }
        long tokensPerStep = (long) training.microBatchSize() * training.gradAccum() * worldSize * seqLen;
        long steps = (long) Math.ceil(tokens * training.epochs() / tokensPerStep);
        steps = Math.max(steps, training.minSteps());
        if (training.maxSteps() > 0) {
            steps = Math.min(steps, training.maxSteps());
        }
        String parentId = null;
        String parentUri = null;
        String modelConfig = null;
        if (parent != null) {
            parentId = parent.checkpointId();
            parentUri = parent.checkpointUri();
        } else if (model.baseCheckpointUri().isPresent()) {
            parentId = BASE_CHECKPOINT_ID;
            parentUri = model.baseCheckpointUri().get();
        } else {
            modelConfig = model.freshConfig().apply(shards.get(0));
        }
        boolean freshLineage = model.baseCheckpointUri().isEmpty();
        double lr = freshLineage ? training.freshLearningRate() : training.learningRate();
        List<String> args = new ArrayList<>(List.of(
                "--micro-batch-size", String.valueOf(training.microBatchSize()),
                "--grad-accum", String.valueOf(training.gradAccum()),
                "--lr", BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString(),
                "--save-every", String.valueOf(training.saveEvery()),
                "--log-every", "1",
                "--seed", String.valueOf(number)));
        args.addAll(training.extraArgs());
        String roundId = RoundIds.of(number);
        PooledShard first = shards.get(0);
        RoundPlan plan = new RoundPlan(roundId, trigger, now, first.tokenizerName(), first.tokenizerSha256(), seqLen,
                shards, tokens, tokensPerLang, mix.probabilities(), mix.description(), parentId, parentUri,
                modelConfig, Math.toIntExact(steps), tokensPerStep, args, dispatcher, training.maxAttempts(),
                outputUri.apply(roundId));
        String left = mix.left().isEmpty() ? "" : "; not trained on: " + mix.left();
        return new PlanAttempt(plan, "mix " + mix.description() + " " + mix.probabilities() + left);
    }

    /**
     * A plan, or why there is none.
     *
     * @param plan the plan; null when no round can be made of the shards
     * @param note the mix chosen, or why there is no plan
     */
    public record PlanAttempt(RoundPlan plan, String note) {
    }

    /** The sequence length most of the shards' tokens are packed for (the larger one on a tie). */
    static int commonSeqLen(List<PooledShard> shards) {
        Map<Integer, Long> tokensBySeqLen = shards.stream().collect(Collectors.groupingBy(PooledShard::seqLen,
                Collectors.summingLong(PooledShard::tokenCount)));
        return tokensBySeqLen.entrySet().stream()
                .max(Comparator.<Map.Entry<Integer, Long>> comparingLong(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey))
                .orElseThrow().getKey();
    }

    public Training training() {
        return training;
    }
}
