package io.mmedstream.modelserver.domain;

import java.util.Set;

import io.mmedstream.modelserver.engine.DecodingParams;

/**
 * One inference request, decoded from its tensors.
 *
 * @param model model name
 * @param version model version, or empty for the server's choice
 * @param id the request id, echoed in every response
 * @param stream one response per chunk of text (decoupled models only) instead of one response at the end
 * @param excludeInput leave the prompt out of text_output (vLLM's default: true when streaming, false otherwise)
 * @param requestedOutputs output names the client asked for; empty means every output produced
 */
public record GenerateCommand(String model, String version, String id, String prompt, DecodingParams params,
                              boolean stream, boolean excludeInput, boolean returnFinishReason,
                              boolean returnNumInputTokens, boolean returnNumOutputTokens,
                              Set<String> requestedOutputs) {

    public GenerateCommand {
        requestedOutputs = Set.copyOf(requestedOutputs);
    }
}
