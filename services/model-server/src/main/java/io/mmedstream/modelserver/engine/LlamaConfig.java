package io.mmedstream.modelserver.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.modelserver.service.ModelServerException;

/**
 * The architecture of a Hugging Face {@code LlamaForCausalLM} checkpoint, read from its {@code config.json} with the
 * keys and defaults of transformers' {@code LlamaConfig} (the trainer writes the same keys). Checked the way the
 * trainer checks it: {@code model_type} llama, {@code hidden_act} silu, rope scaling default, linear or llama3.
 *
 * @param ropeScaling {@code null} for plain rotary embeddings
 * @param eosTokenIds end tokens named by config.json (may be empty)
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                          double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, boolean tieWordEmbeddings,
                          boolean attentionBias, boolean mlpBias, List<Integer> eosTokenIds) {

    /** The {@code rope_scaling} entry: {@code type} linear (factor) or llama3 (all four numbers). */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              double originalMaxPositionEmbeddings) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Width of one query projection (heads x head_dim), which need not equal hidden_size. */
    public int queryDim() {
        return numAttentionHeads * headDim;
    }

    /** Width of one key or value projection. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** Reads {@code config.json} of a checkpoint directory. */
    public static LlamaConfig load(Path dir) {
        Path file = dir.resolve("config.json");
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw ModelServerException.badModel("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a config.json tree; {@code source} names it in error messages. */
    public static LlamaConfig parse(JsonNode root, String source) {
        if (!root.isObject()) {
            throw ModelServerException.badModel(source + " is not a JSON object");
        }
        String modelType = root.path("model_type").asText("llama");
        if (!modelType.equals("llama")) {
            throw ModelServerException.badModel(source + ": model_type '" + modelType + "' is not 'llama'");
        }
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw ModelServerException.badModel(source + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        int vocab = positive(root, "vocab_size", source, null);
        int hidden = positive(root, "hidden_size", source, null);
        int inter = positive(root, "intermediate_size", source, null);
        int layers = positive(root, "num_hidden_layers", source, null);
        int heads = positive(root, "num_attention_heads", source, null);
        int kvHeads = positive(root, "num_key_value_heads", source, heads);
        if (heads % kvHeads != 0) {
            throw ModelServerException.badModel(source + ": num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        Integer defaultHeadDim = hidden % heads == 0 ? hidden / heads : null;
        int headDim = positive(root, "head_dim", source, defaultHeadDim);
        if (headDim % 2 != 0) {
            throw ModelServerException.badModel(source + ": head_dim " + headDim + " must be even for rotary embeddings");
        }
        int maxPos = positive(root, "max_position_embeddings", source, 2048);
        double eps = root.path("rms_norm_eps").asDouble(1e-6);
        double theta = root.path("rope_theta").asDouble(10000.0);
        if (!(eps > 0) || !(theta > 0)) {
            throw ModelServerException.badModel(source + ": rms_norm_eps and rope_theta must be positive");
        }
        return new LlamaConfig(vocab, hidden, inter, layers, heads, kvHeads, headDim, maxPos, eps, theta,
                ropeScaling(root.path("rope_scaling"), source), root.path("tie_word_embeddings").asBoolean(false),
                root.path("attention_bias").asBoolean(false), root.path("mlp_bias").asBoolean(false),
                tokenIds(root.path("eos_token_id")));
    }

    /** An int or a list of ints (as transformers allows for eos_token_id); empty when absent or null. */
    public static List<Integer> tokenIds(JsonNode node) {
        List<Integer> out = new ArrayList<>();
        if (node.isIntegralNumber()) {
            out.add(node.asInt());
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                if (n.isIntegralNumber()) {
                    out.add(n.asInt());
                }
            }
        }
        return List.copyOf(out);
    }

    private static RopeScaling ropeScaling(JsonNode node, String source) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        String type = node.has("rope_type") ? node.path("rope_type").asText() : node.path("type").asText("default");
        switch (type) {
            case "default":
                return null;
            case "linear":
                return new RopeScaling(type, required(node, "factor", source), 0, 0, 0);
            case "llama3":
                return new RopeScaling(type, required(node, "factor", source), required(node, "low_freq_factor", source),
                        required(node, "high_freq_factor", source),
                        required(node, "original_max_position_embeddings", source));
            default:
                throw ModelServerException.badModel(source + ": rope_scaling type '" + type
                        + "' is not supported (default, linear, llama3)");
        }
    }

    private static double required(JsonNode node, String key, String source) {
        JsonNode v = node.path(key);
        if (!v.isNumber()) {
            throw ModelServerException.badModel(source + ": rope_scaling lacks the number " + key);
        }
        return v.asDouble();
    }

    private static int positive(JsonNode root, String key, String source, Integer fallback) {
        JsonNode v = root.path(key);
        if (v.isMissingNode() || v.isNull()) {
            if (fallback == null) {
                throw ModelServerException.badModel(source + " lacks " + key);
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw ModelServerException.badModel(source + ": " + key + " must be a positive integer, got " + v);
        }
        return v.asInt();
    }
}
