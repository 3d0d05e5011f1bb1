package io.mmedstream.inference.domain;

/**
 * A finished generation.
 *
 * @param text             the generated text
 * @param model            the version that generated it
 * @param promptTokens     prompt tokens, -1 when the backend did not say
 * @param completionTokens generated tokens, -1 when the backend did not say
 * @param finishReason     "stop", "length", or empty when the backend did not say
 */
public record Completion(String text, ServingModel model, long promptTokens, long completionTokens,
                         String finishReason) {

    public Completion {
        finishReason = finishReason == null ? "" : finishReason;
    }
}
