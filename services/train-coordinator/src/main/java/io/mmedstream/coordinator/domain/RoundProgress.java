package io.mmedstream.coordinator.domain;

import java.util.Map;

/**
 * What the trainer reported so far in a round.
 *
 * @param step last optimizer step reported
 * @param tokensSeen real tokens trained on so far
 * @param tokensSeenPerLang real tokens trained on per language, as of the last checkpoint
 * @param firstLoss loss of the round's first step (null before it)
 * @param loss loss of the last reported step (null before the first)
 * @param learningRate learning rate of the last reported step
 * @param tokensPerSecond throughput of the last reported step
 * @param lastCheckpointUri newest checkpoint written in the round (null before the first)
 */
public record RoundProgress(int step, long tokensSeen, Map<String, Long> tokensSeenPerLang, Double firstLoss,
        Double loss, Double learningRate, Double tokensPerSecond, String lastCheckpointUri) {

    /** Nothing reported yet. */
    public static final RoundProgress NONE = new RoundProgress(0, 0, Map.of(), null, null, null, null, null);

    public RoundProgress {
        tokensSeenPerLang = Map.copyOf(tokensSeenPerLang);
    }
}
