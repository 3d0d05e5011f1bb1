package io.mmedstream.triton.client;

/**
 * A finished generation.
 *
 * @param text the generated text (without the prompt)
 * @param modelVersion the version that answered
 * @param promptTokens tokens of the prompt, or -1 when the server did not report them
 * @param completionTokens tokens generated, or -1 when the server did not report them
 * @param finishReason "stop" or "length" (vLLM's names), or null when the server did not report it
 */
public record GenerationResult(String text, String modelVersion, long promptTokens, long completionTokens,
                               String finishReason) {
}
