package io.mmedstream.triton.client;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sampling settings sent as the {@code sampling_parameters} JSON of the vLLM tensor contract. A null field is left out
 * of the JSON, so the server's default applies (vLLM's: max_tokens 16, temperature 1, top_p 1).
 *
 * @param maxTokens most tokens to generate
 * @param temperature 0 for greedy decoding
 * @param topP nucleus sampling threshold in (0, 1]
 * @param topK sample among the k most likely tokens (-1 or 0: off)
 * @param seed random seed of the request
 * @param stop strings that end generation (left out of the text)
 */
public record SamplingParams(Integer maxTokens, Double temperature, Double topP, Integer topK, Long seed,
                             List<String> stop) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** Greedy decoding of at most {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0.0, null, null, null, List.of());
    }

    /** Sampling at a temperature, with a seed for reproducibility (null: none). */
    public static SamplingParams sampled(int maxTokens, double temperature, double topP, Long seed) {
        return new SamplingParams(maxTokens, temperature, topP, null, seed, List.of());
    }

    /** The same settings with these stop strings. */
    public SamplingParams withStop(List<String> stopStrings) {
        return new SamplingParams(maxTokens, temperature, topP, topK, seed, stopStrings);
    }

    /** The JSON text sent in the sampling_parameters tensor. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        if (maxTokens != null) {
            node.put("max_tokens", maxTokens);
        }
        if (temperature != null) {
            node.put("temperature", temperature);
        }
        if (topP != null) {
            node.put("top_p", topP);
        }
        if (topK != null) {
            node.put("top_k", topK);
        }
        if (seed != null) {
            node.put("seed", seed);
        }
        if (!stop.isEmpty()) {
            stop.forEach(node.putArray("stop")::add);
        }
        return node.toString();
    }
}
