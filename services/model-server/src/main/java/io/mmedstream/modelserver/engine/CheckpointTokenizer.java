package io.mmedstream.modelserver.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import io.mmedstream.modelserver.service.ModelServerException;

/**
 * A checkpoint's own Hugging Face tokenizer ({@code tokenizer.json}, run by the Rust {@code tokenizers} library
 * through DJL). Prompts are encoded with the tokenizer's own post-processor (so a BOS token is added exactly when the
 * tokenizer says so, as transformers and vLLM do); truncation and padding are off. Thread-safe; {@link #close()} frees
 * the native tokenizer, after which it must not be used.
 */
public final class CheckpointTokenizer implements AutoCloseable {

    /** File names of a Hugging Face tokenizer. */
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // DJL's telemetry probes a cloud metadata endpoint when a tokenizer is created; a server must not make network
        // calls it was not asked to make. "offline" is DJL's documented opt-out.
        if (System.getProperty("offline") == null) {
            System.setProperty("offline", "true");
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final Set<Integer> eosIds;

    private CheckpointTokenizer(HuggingFaceTokenizer tokenizer, Set<Integer> eosIds) {
        this.tokenizer = tokenizer;
        this.eosIds = Set.copyOf(eosIds);
    }

    /** Loads {@code tokenizer.json} (and the EOS token named by {@code tokenizer_config.json}, if any) of a folder. */
    public static CheckpointTokenizer load(Path dir) {
        Path file = dir.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(file)) {
            throw ModelServerException.badModel(dir + " has no " + TOKENIZER_JSON
                    + " (the local model server tokenizes with the checkpoint's own tokenizer)");
        }
        try {
            byte[] json = Files.readAllBytes(file);
            JsonNode definition = JSON.readTree(json);
            Set<Integer> eos = new LinkedHashSet<>();
            Path configFile = dir.resolve(TOKENIZER_CONFIG_JSON);
            if (Files.isRegularFile(configFile)) {
                JsonNode node = JSON.readTree(configFile.toFile()).path("eos_token");
                String token = node.isTextual() ? node.asText() : node.path("content").asText(null);
                if (token != null && !token.isEmpty()) {
                    Integer id = tokenId(definition, token);
                    if (id != null) {
                        eos.add(id);
                    }
                }
            }
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new CheckpointTokenizer(tokenizer, eos);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelServerException mse) {
                throw mse;
            }
            throw ModelServerException.badModel("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of a prompt, with the special tokens the tokenizer's post-processor adds. */
    public int[] encode(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, true);
        long[] ids;
        try {
            ids = TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** The text of token ids. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /** End-of-sequence ids named by tokenizer_config.json (empty when it names none). */
    public Set<Integer> eosIds() {
        return eosIds;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** The id of a token: added tokens first, then the model's vocabulary; null when absent. */
    static Integer tokenId(JsonNode definition, String token) {
        for (JsonNode added : definition.path("added_tokens")) {
            if (token.equals(added.path("content").asText(null))) {
                return added.path("id").asInt();
            }
        }
        JsonNode vocab = definition.path("model").path("vocab");
        if (vocab.isObject() && vocab.has(token)) {
            return vocab.get(token).asInt();
        }
        if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                if (token.equals(vocab.get(i).path(0).asText(null))) {
                    return i;
                }
            }
        }
        return null;
    }
}
