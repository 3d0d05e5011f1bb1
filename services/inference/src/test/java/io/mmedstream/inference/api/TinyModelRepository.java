package io.mmedstream.inference.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Triton-layout model repository of tiny random Llama checkpoints in the trainer's Hugging Face layout
 * (config.json, model.safetensors in F32, a byte-level BPE tokenizer.json with {@code <s>} = 256 and
 * {@code </s>} = 257), for tests that need the real model server to generate. One folder per version; each version
 * has its own weights.
 */
final class TinyModelRepository {

    static final int VOCAB = 258;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModelRepository() {
    }

    /** Writes {@code <root>/<model>/config.pbtxt} and one checkpoint per version (weights seeded by the version). */
    static void write(Path root, String model, int... versions) throws IOException {
        Path dir = Files.createDirectories(root.resolve(model));
        Files.writeString(dir.resolve("config.pbtxt"), "backend: \"vllm\"\nmax_batch_size: 0\n"
                + "model_transaction_policy { decoupled: true }\n");
        for (int v : versions) {
            checkpoint(dir.resolve(Integer.toString(v)), v);
        }
    }

    /** One checkpoint: d=16, 1 layer, 2 query heads sharing 1 key/value head, context 128. */
    static void checkpoint(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        int d = 16;
        int inter = 32;
        int heads = 2;
        int kvHeads = 1;
        int hd = d / heads;
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama").put("hidden_act", "silu").put("vocab_size", VOCAB).put("hidden_size", d)
                .put("intermediate_size", inter).put("num_hidden_layers", 1).put("num_attention_heads", heads)
                .put("num_key_value_heads", kvHeads).put("max_position_embeddings", 1024).put("rms_norm_eps", 1e-6)
                .put("rope_theta", 10000.0).put("tie_word_embeddings", false).put("bos_token_id", 256)
                .put("eos_token_id", 257).put("torch_dtype", "float32");
        JSON.writeValue(dir.resolve("config.json").toFile(), config);

        SplittableRandom random = new SplittableRandom(seed);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {VOCAB, d});
        shapes.put("model.layers.0.input_layernorm.weight", new long[] {d});
        shapes.put("model.layers.0.self_attn.q_proj.weight", new long[] {heads * hd, d});
        shapes.put("model.layers.0.self_attn.k_proj.weight", new long[] {kvHeads * hd, d});
        shapes.put("model.layers.0.self_attn.v_proj.weight", new long[] {kvHeads * hd, d});
        shapes.put("model.layers.0.self_attn.o_proj.weight", new long[] {d, heads * hd});
        shapes.put("model.layers.0.post_attention_layernorm.weight", new long[] {d});
        shapes.put("model.layers.0.mlp.gate_proj.weight", new long[] {inter, d});
        shapes.put("model.layers.0.mlp.up_proj.weight", new long[] {inter, d});
        shapes.put("model.layers.0.mlp.down_proj.weight", new long[] {d, inter});
        shapes.put("model.norm.weight", new long[] {d});
        shapes.put("lm_head.weight", new long[] {VOCAB, d});

        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = count(e.getValue());
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (long s : e.getValue()) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + 4 * n);
            offset += 4 * n;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            boolean norm = e.getKey().endsWith("norm.weight");
            for (long i = 0; i < count(e.getValue()); i++) {
                out.putFloat(norm ? 1f : (float) ((random.nextDouble() * 2 - 1) * 0.5));
            }
        }
        try (OutputStream file = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            file.write(out.array());
        }
        tokenizer(dir);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** Byte-level BPE without merges: every byte is a token (GPT-2's byte-to-character map), plus two specials. */
    private static void tokenizer(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0").putNull("truncation").putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        added.addObject().put("id", 256).put("content", "<s>").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        added.addObject().put("id", 257).put("content", "</s>").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            int ch = printable ? b : next++;
            vocab.put(new String(Character.toChars(ch)), b);
        }
        model.putArray("merges");
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}\n");
    }
}
