package io.mmedstream.modelserver.engine;

import java.util.List;

/**
 * How to pick and when to stop generating tokens. Names and defaults follow vLLM's {@code SamplingParams}, which is
 * what Triton's vLLM backend reads from the {@code sampling_parameters} JSON, so a request means the same on both
 * servers.
 *
 * @param maxTokens most tokens to generate (vLLM's default 16)
 * @param temperature 0 (or below 1e-5) picks the most likely token; otherwise logits are divided by it (default 1)
 * @param topP nucleus sampling: sample among the most likely tokens whose probabilities add up to this (default 1)
 * @param topK sample among this many most likely tokens; 0 or -1 turns it off (default off)
 * @param seed seed of this request's random generator; null draws one
 * @param stop strings that end generation; the text stops before the first one found
 * @param stopTokenIds token ids that end generation (besides the end-of-sequence tokens)
 * @param ignoreEos keep generating past end-of-sequence tokens
 * @param minTokens end tokens and stop token ids are not sampled before this many tokens
 * @param includeStopStrInOutput keep the stop string that ended generation in the text
 * @param skipSpecialTokens leave special tokens out of the text (default true)
 */
public record DecodingParams(int maxTokens, double temperature, double topP, int topK, Long seed, List<String> stop,
                             List<Integer> stopTokenIds, boolean ignoreEos, int minTokens,
                             boolean includeStopStrInOutput, boolean skipSpecialTokens) {

    /** Below this temperature decoding is greedy (vLLM's threshold). */
    public static final double GREEDY_BELOW = 1e-5;

    public DecodingParams {
        stop = List.copyOf(stop);
        stopTokenIds = List.copyOf(stopTokenIds);
    }

    /** vLLM's defaults. */
    public static DecodingParams defaults() {
        return new DecodingParams(16, 1.0, 1.0, 0, null, List.of(), List.of(), false, 0, false, true);
    }

    /** Greedy decoding of at most {@code maxTokens} tokens. */
    public static DecodingParams greedy(int maxTokens) {
        return new DecodingParams(maxTokens, 0.0, 1.0, 0, null, List.of(), List.of(), false, 0, false, true);
    }

    public boolean isGreedy() {
        return temperature < GREEDY_BELOW;
    }
}
