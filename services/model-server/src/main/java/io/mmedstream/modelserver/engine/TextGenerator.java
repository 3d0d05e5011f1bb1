package io.mmedstream.modelserver.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.mmedstream.modelserver.service.ModelServerException;

/**
 * Text in, text out: tokenizes the prompt with the checkpoint's tokenizer, runs the prompt through the model in one
 * block, then samples one token per step with the key/value cache until an end-of-sequence token, a stop token id, a
 * stop string, {@code max_tokens} or the end of the context. Text is handed out in chunks as it becomes final: a chunk
 * never ends inside a UTF-8 character, and the last characters that could still turn into a stop string are held
 * back until they cannot (so a stop string never reaches the client, unless asked for).
 *
 * <p>Thread-safe: each call has its own cache and sampler.
 */
public final class TextGenerator {

    /** Why generation ended, with vLLM's names. */
    public enum FinishReason {
        /** An end-of-sequence token, a stop token id or a stop string. */
        STOP("stop"),
        /** {@code max_tokens}, or the model's context is full. */
        LENGTH("length");

        private final String wireName;

        FinishReason(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * A piece of the generated text.
     *
     * @param text new text since the previous chunk (may be empty on the last chunk)
     * @param tokens tokens generated since the previous chunk
     * @param promptTokens tokens of the prompt
     * @param last whether generation has ended with this chunk
     * @param finishReason why it ended (null unless last)
     */
    public record Chunk(String text, int tokens, int promptTokens, boolean last, FinishReason finishReason) {
    }

    /** Receives chunks in order, on the generating thread. */
    @FunctionalInterface
    public interface ChunkListener {
        void onChunk(Chunk chunk);
    }

    /**
     * What a call produced.
     *
     * @param text the whole generated text (the concatenation of every chunk)
     * @param promptTokens tokens of the prompt, special tokens included
     * @param completionTokens tokens generated, end token included
     */
    public record Completion(String text, int promptTokens, int completionTokens, FinishReason finishReason) {
    }

    /** Prompt tokens kept in front of the generated ones when decoding, so word-initial spaces come out right. */
    private static final int DECODE_CONTEXT = 4;

    private final LlamaModel model;
    private final CheckpointTokenizer tokenizer;
    private final Set<Integer> eosIds;
    private final int maxContext;

    /**
     * @param eosIds tokens that end generation unless {@code ignore_eos}
     * @param maxContext prompt + generated tokens allowed; at most the model's max_position_embeddings
     */
    public TextGenerator(LlamaModel model, CheckpointTokenizer tokenizer, Set<Integer> eosIds, int maxContext) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.eosIds = Set.copyOf(eosIds);
        this.maxContext = Math.min(maxContext, model.config().maxPositionEmbeddings());
    }

    public LlamaModel model() {
        return model;
    }

    public int maxContext() {
        return maxContext;
    }

    public Set<Integer> eosIds() {
        return eosIds;
    }

    /**
     * Generates a completion of {@code prompt}.
     *
     * @param listener receives every chunk, the last one included; may be null
     * @param cancelled polled before each step; when it turns true the call ends with a CANCELLED failure
     */
    public Completion generate(String prompt, DecodingParams params, ChunkListener listener, BooleanSupplier cancelled) {
        int[] promptIds = tokenizer.encode(prompt);
        if (promptIds.length == 0) {
            throw ModelServerException.invalid("text_input: the prompt is empty (it has no tokens)");
        }
        if (promptIds.length >= maxContext) {
            throw ModelServerException.invalid("text_input: the prompt has " + promptIds.length
                    + " tokens; the model's context holds " + maxContext + " (prompt and generated tokens together)");
        }
        int budget = Math.min(params.maxTokens(), maxContext - promptIds.length);
        Sampler sampler = new Sampler(params);
        LlamaModel.Session session = model.newSession(promptIds.length + budget);
        checkCancelled(cancelled);
        float[] logits = model.forward(session, promptIds, false);

        int[] context = Arrays.copyOfRange(promptIds, Math.max(0, promptIds.length - DECODE_CONTEXT), promptIds.length);
        String contextText = tokenizer.decode(context, params.skipSpecialTokens());
        int holdBack = params.stop().stream().mapToInt(String::length).max().orElse(1) - 1;
        List<Integer> generated = new ArrayList<>();
        StringBuilder sent = new StringBuilder();
        int completionTokens = 0;
        int pendingTokens = 0;
        String text = "";
        FinishReason reason = null;
        while (reason == null) {
            checkCancelled(cancelled);
            if (completionTokens < params.minTokens()) {
                logits = logits.clone();
                suppress(logits, params);
            }
            int token = sampler.next(logits);
            completionTokens++;
            pendingTokens++;
            boolean eos = !params.ignoreEos() && eosIds.contains(token);
            if (!eos) {
                generated.add(token);
                text = decode(context, contextText, generated, params.skipSpecialTokens());
            }
            if (eos || params.stopTokenIds().contains(token)) {
                reason = FinishReason.STOP;
                break;
            }
            int stopAt = firstStop(text, params.stop());
            if (stopAt >= 0) {
                String stop = stopStringAt(text, stopAt, params.stop());
                text = text.substring(0, stopAt) + (params.includeStopStrInOutput() ? stop : "");
                reason = FinishReason.STOP;
                break;
            }
            if (completionTokens >= budget) {
                reason = FinishReason.LENGTH;
                break;
            }
            int safeEnd = safeEnd(text, holdBack);
            if (safeEnd > sent.length() && text.startsWith(sent.toString())) {
                String delta = text.substring(sent.length(), safeEnd);
                sent.append(delta);
                if (listener != null) {
                    listener.onChunk(new Chunk(delta, pendingTokens, promptIds.length, false, null));
                }
                pendingTokens = 0;
            }
            logits = model.forward(session, new int[] {token}, false);
        }
        String rest = text.startsWith(sent.toString()) ? text.substring(sent.length()) : "";
        sent.append(rest);
        if (listener != null) {
            listener.onChunk(new Chunk(rest, pendingTokens, promptIds.length, true, reason));
        }
        return new Completion(sent.toString(), promptIds.length, completionTokens, reason);
    }

    private String decode(int[] context, String contextText, List<Integer> generated, boolean skipSpecial) {
        int[] ids = new int[context.length + generated.size()];
        System.arraycopy(context, 0, ids, 0, context.length);
        for (int i = 0; i < generated.size(); i++) {
            ids[context.length + i] = generated.get(i);
        }
        String full = tokenizer.decode(ids, skipSpecial);
        if (full.startsWith(contextText)) {
            return full.substring(contextText.length());
        }
        // The tokenizer's decoder rewrote the context once more tokens followed; fall back to the tokens alone.
        return tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray(), skipSpecial);
    }

    private void suppress(float[] logits, DecodingParams params) {
        if (!params.ignoreEos()) {
            for (int id : eosIds) {
                if (id >= 0 && id < logits.length) {
                    logits[id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        for (int id : params.stopTokenIds()) {
            if (id >= 0 && id < logits.length) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** End of the text that can be sent now: no partial character, no possible stop-string start. */
    static int safeEnd(String text, int holdBack) {
        int end = text.length() - holdBack;
        // U+FFFD at the end is what the decoder makes of the first bytes of a character still being generated.
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return Math.max(end, 0);
    }

    static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String stop : stops) {
            if (stop.isEmpty()) {
                continue;
            }
            int at = text.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    private static String stopStringAt(String text, int at, List<String> stops) {
        String found = "";
        for (String stop : stops) {
            if (!stop.isEmpty() && text.startsWith(stop, at) && stop.length() > found.length()) {
                found = stop;
            }
        }
        return found;
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new ModelServerException(ModelServerException.Reason.CANCELLED, "the request was cancelled");
        }
    }
}
