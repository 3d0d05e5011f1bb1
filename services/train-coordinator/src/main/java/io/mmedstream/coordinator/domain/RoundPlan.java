package io.mmedstream.coordinator.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a round trains: fixed when the round is planned, never changed afterwards (so that every attempt trains on
 * the same manifest and a retry resumes where the last attempt left off).
 *
 * @param roundId round id, {@code round-NNNNNN}
 * @param trigger why it was planned
 * @param plannedAt when
 * @param tokenizerName tokenizer name of its shards
 * @param tokenizerSha256 SHA-256 of its shards' tokenizer.json
 * @param seqLen training sequence length
 * @param shards the shards, in announcement order
 * @param tokenCount tokens of all shards
 * @param tokensPerLang tokens per language of all shards
 * @param languageWeights sampling probability per language given to the trainer
 * @param mixing how the weights were chosen ({@code weights} or {@code temperature:<T>})
 * @param parentCheckpointId checkpoint continued from ({@code base} for the configured base); null for a fresh model
 * @param parentCheckpointUri its URI; null for a fresh model
 * @param modelConfig the fresh model's config.json text; null when continuing a checkpoint
 * @param totalSteps optimizer steps
 * @param tokensPerStep token positions per step
 * @param trainerArgs trainer arguments fixed for every attempt (batch geometry, learning rate, ...)
 * @param dispatcher {@code local} or {@code kubernetes}
 * @param maxAttempts attempts allowed
 * @param outputUri where the trainer writes checkpoints (same for every attempt)
 */
public record RoundPlan(String roundId, Trigger trigger, Instant plannedAt, String tokenizerName,
        String tokenizerSha256, int seqLen, List<PooledShard> shards, long tokenCount, Map<String, Long> tokensPerLang,
        Map<String, Double> languageWeights, String mixing, String parentCheckpointId, String parentCheckpointUri,
        String modelConfig, int totalSteps, long tokensPerStep, List<String> trainerArgs, String dispatcher,
        int maxAttempts, String outputUri) {

    public RoundPlan {
        Objects.requireNonNull(roundId, "roundId");
        shards = List.copyOf(shards);
        tokensPerLang = Map.copyOf(tokensPerLang);
        languageWeights = Map.copyOf(languageWeights);
        trainerArgs = List.copyOf(trainerArgs);
    }

    /** The round number, from its id. */
    public long number() {
        return RoundIds.number(roundId);
    }
}
