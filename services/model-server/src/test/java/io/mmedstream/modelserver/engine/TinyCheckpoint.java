package io.mmedstream.modelserver.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes small random Llama checkpoints in the trainer's layout (config.json, generation_config.json,
 * model.safetensors in F32, tokenizer.json + tokenizer_config.json), for tests that need a servable model but not
 * PyTorch. The tokenizer is byte-level BPE: ids 0-255 are the bytes, three merges build {@code " the"} (256-258), and
 * 259 {@code <s>} and 260 {@code </s>} are special (Hugging Face tokenizers number added tokens after the model's
 * vocabulary); so any UTF-8 text encodes and every id decodes. The output layer gives
 * control and non-ASCII bytes a logit of 0, so greedy output is mostly printable ASCII.
 */
public final class TinyCheckpoint {

    /** Tokenizer size, and the vocabulary of every model written here. */
    public static final int VOCAB = 261;
    public static final int BOS = 259;
    public static final int EOS = 260;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyCheckpoint() {
    }

    /** A 2-layer model (d=32, GQA 4/2 heads, context 256) with weights drawn from {@code seed}. */
    public static Path write(Path dir, long seed) throws IOException {
        return write(dir, seed, 32, 64, 2, 4, 2, VOCAB, 256);
    }

    /** A model of any size (for benchmarks); the tokenizer covers ids below {@value #VOCAB} only. */
    public static Path write(Path dir, long seed, int d, int inter, int layers, int heads, int kvHeads, int vocab,
                             int context) throws IOException {
        return write(dir, seed, d, inter, layers, heads, kvHeads, vocab, context, true);
    }

    /**
     * A model of any size; with {@code canEnd} false its end-of-sequence id gets logit 0 (a zero row of lm_head), so
     * greedy generation practically never ends before max_tokens: a request of known length.
     */
    public static Path write(Path dir, long seed, int d, int inter, int layers, int heads, int kvHeads, int vocab,
                             int context, boolean canEnd) throws IOException {
        Files.createDirectories(dir);
        int hd = d / heads;
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama").put("hidden_act", "silu").put("vocab_size", vocab).put("hidden_size", d)
                .put("intermediate_size", inter).put("num_hidden_layers", layers).put("num_attention_heads", heads)
                .put("num_key_value_heads", kvHeads).put("max_position_embeddings", context).put("rms_norm_eps", 1e-6)
                .put("rope_theta", 10000.0).put("tie_word_embeddings", false).put("bos_token_id", BOS)
                .put("eos_token_id", EOS).put("torch_dtype", "float32");
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        writeGenerationConfig(dir, List.of(EOS));

        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        put(tensors, shapes, "model.embed_tokens.weight", random, 0.5, vocab, d);
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            put(tensors, shapes, p + "input_layernorm.weight", null, 1, d);
            put(tensors, shapes, p + "self_attn.q_proj.weight", random, 0.2, (long) heads * hd, d);
            put(tensors, shapes, p + "self_attn.k_proj.weight", random, 0.2, (long) kvHeads * hd, d);
            put(tensors, shapes, p + "self_attn.v_proj.weight", random, 0.2, (long) kvHeads * hd, d);
            put(tensors, shapes, p + "self_attn.o_proj.weight", random, 0.2, d, (long) heads * hd);
            put(tensors, shapes, p + "post_attention_layernorm.weight", null, 1, d);
            put(tensors, shapes, p + "mlp.gate_proj.weight", random, 0.2, inter, d);
            put(tensors, shapes, p + "mlp.up_proj.weight", random, 0.2, inter, d);
            put(tensors, shapes, p + "mlp.down_proj.weight", random, 0.2, d, inter);
        }
        put(tensors, shapes, "model.norm.weight", null, 1, d);
        put(tensors, shapes, "lm_head.weight", random, 0.5, vocab, d);
        // Logit 0 for control characters and for bytes that only occur inside multi-byte UTF-8 characters: greedy
        // text is then printable ASCII, which keeps the tests' text assertions readable.
        float[] head = tensors.get("lm_head.weight");
        for (int id = 0; id < 256; id++) {
            if (id < 32 || id >= 127) {
                java.util.Arrays.fill(head, id * d, (id + 1) * d, 0f);
            }
        }
        if (!canEnd) {
            java.util.Arrays.fill(head, EOS * d, (EOS + 1) * d, 0f);
        }
        writeSafetensors(dir.resolve("model.safetensors"), tensors, shapes);
        writeTokenizer(dir);
        return dir;
    }

    /** Replaces generation_config.json, e.g. to declare another end-of-sequence id. */
    public static void writeGenerationConfig(Path dir, List<Integer> eosIds) throws IOException {
        ObjectNode generation = JSON.createObjectNode();
        generation.put("bos_token_id", BOS);
        ArrayNode eos = generation.putArray("eos_token_id");
        eosIds.forEach(eos::add);
        JSON.writeValue(dir.resolve("generation_config.json").toFile(), generation);
    }

    private static void put(Map<String, float[]> tensors, Map<String, long[]> shapes, String name,
                            SplittableRandom random, double scale, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) {
            values[i] = random == null ? (float) scale : (float) (gaussian(random) * scale);
        }
        tensors.put(name, values);
        shapes.put(name, shape);
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** A single F32 safetensors file: 8-byte length, JSON header padded to 8 bytes, raw little-endian data. */
    public static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (long s : shapes.get(e.getKey())) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + 4L * e.getValue().length);
            offset += 4L * e.getValue().length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded);
            head.put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            out.write(head.array());
            ByteBuffer buf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] values : tensors.values()) {
                for (float v : values) {
                    buf.clear();
                    out.write(buf.putFloat(v).array());
                }
            }
        }
    }

    /** The byte-level BPE tokenizer described above, with tokenizer_config.json naming {@code </s>} as EOS. */
    public static void writeTokenizer(Path dir) throws IOException {
        int[] byteToChar = byteLevelAlphabet();
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (Object[] special : new Object[][] {{BOS, "<s>"}, {EOS, "</s>"}}) {
            added.addObject().put("id", (Integer) special[0]).put("content", (String) special[1])
                    .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false)
                    .put("special", true);
        }
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
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(byteToChar[b])), b);
        }
        String space = new String(Character.toChars(byteToChar[' ']));
        vocab.put(space + "t", 256);
        vocab.put("he", 257);
        vocab.put(space + "the", 258);
        ArrayNode merges = model.putArray("merges");
        List<String> rules = new ArrayList<>(List.of(space + " t", "h e", space + "t he"));
        rules.forEach(merges::add);
        Files.write(dir.resolve("tokenizer.json"), JSON.writeValueAsBytes(root));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"tokenizer_class\": \"PreTrainedTokenizerFast\"}\n",
                StandardCharsets.UTF_8);
    }

    /** GPT-2's reversible byte-to-character map: printable bytes map to themselves, the rest to code points 256+. */
    static int[] byteLevelAlphabet() {
        int[] map = new int[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? b : next++;
        }
        return map;
    }
}
