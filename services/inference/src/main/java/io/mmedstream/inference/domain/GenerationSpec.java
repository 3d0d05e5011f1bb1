package io.mmedstream.inference.domain;

import java.util.List;

/**
 * A validated generation request, in the service's terms.
 *
 * @param prompt      the prompt, not blank
 * @param maxTokens   most tokens to generate
 * @param temperature sampling temperature, 0 = greedy
 * @param topP        nucleus threshold in (0, 1]
 * @param stop        stop strings
 * @param seed        seed, or null
 */
public record GenerationSpec(String prompt, int maxTokens, double temperature, double topP, List<String> stop,
                             Long seed) {

    public GenerationSpec {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
