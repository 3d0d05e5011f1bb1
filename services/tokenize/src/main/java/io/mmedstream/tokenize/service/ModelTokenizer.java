package io.mmedstream.tokenize.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}) run by the Rust {@code tokenizers} library through DJL, as the
 * pipeline uses it: text in, token ids out, no special tokens added, no truncation, no padding. The end-of-sequence
 * token that separates packed documents comes from the tokenizer itself ({@code eos_token} of the
 * {@code tokenizer_config.json} beside the tokenizer.json), never from a constant.
 *
 * <p>The default is InternLM2's tokenizer (the base model of MMedLM 2), which the build puts on the classpath under
 * {@value #DEFAULT_RESOURCE_DIR}. Plain Java: the service, tests and benchmarks construct it directly. Thread-safe;
 * close it to free the native tokenizer.
 */
public final class ModelTokenizer implements AutoCloseable {

    /** Name of the bundled default tokenizer. */
    public static final String DEFAULT_NAME = "internlm2";
    /** Classpath folder of the bundled default tokenizer. */
    public static final String DEFAULT_RESOURCE_DIR = "tokenizers/internlm2/";
    /** File names of a Hugging Face tokenizer. */
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // DJL's telemetry probes the EC2 metadata endpoint whenever a tokenizer is created; a pipeline service must
        // not make network calls it was not asked to make. "offline" is DJL's documented opt-out.
        if (System.getProperty("offline") == null) {
            System.setProperty("offline", "true");
        }
    }

    private final String name;
    private final byte[] tokenizerJson;
    private final byte[] tokenizerConfigJson; // null when the tokenizer came without one
    private final String sha256;
    private final String eosToken;
    private final int eosId;
    private final HuggingFaceTokenizer tokenizer;

    private ModelTokenizer(String name, byte[] tokenizerJson, byte[] tokenizerConfigJson, String eosOverride)
            throws IOException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tokenizer name must match " + NAME.pattern()
                    + " (it becomes part of shard file names): " + name);
        }
        this.name = name;
        this.tokenizerJson = tokenizerJson;
        this.tokenizerConfigJson = tokenizerConfigJson;
        this.sha256 = sha256Hex(tokenizerJson);
        JsonNode definition = JSON.readTree(tokenizerJson);
        this.eosToken = eosOverride != null ? eosOverride : eosTokenFromConfig(tokenizerConfigJson);
        this.eosId = tokenId(definition, eosToken);
        this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false"));
    }

    /** The bundled InternLM2 tokenizer. */
    public static ModelTokenizer loadDefault() {
        try {
            byte[] json = resource(DEFAULT_RESOURCE_DIR + TOKENIZER_JSON);
            byte[] config = resource(DEFAULT_RESOURCE_DIR + TOKENIZER_CONFIG_JSON);
            return new ModelTokenizer(DEFAULT_NAME, json, config, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bundled " + DEFAULT_NAME + " tokenizer", e);
        }
    }

    /**
     * Loads any Hugging Face {@code tokenizer.json}; the EOS token comes from the {@code tokenizer_config.json} in the
     * same folder.
     *
     * @param tokenizerJson path of the tokenizer.json (or of the folder holding it)
     * @param name short name recorded in shards and used in shard ids, e.g. {@code llama3}
     */
    public static ModelTokenizer load(Path tokenizerJson, String name) {
        return load(tokenizerJson, name, null);
    }

    /**
     * Like {@link #load(Path, String)}, with the EOS token given explicitly (for a tokenizer.json without a
     * tokenizer_config.json, or to choose another end token); {@code null} reads it from tokenizer_config.json.
     */
    public static ModelTokenizer load(Path tokenizerJson, String name, String eosToken) {
        Path file = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve(TOKENIZER_JSON) : tokenizerJson;
        try {
            byte[] json = Files.readAllBytes(file);
            Path configFile = file.resolveSibling(TOKENIZER_CONFIG_JSON);
            byte[] config = Files.isRegularFile(configFile) ? Files.readAllBytes(configFile) : null;
            if (config == null && eosToken == null) {
                throw new IllegalArgumentException("cannot tell the EOS token of " + file + ": there is no "
                        + TOKENIZER_CONFIG_JSON + " beside it; give the EOS token explicitly "
                        + "(mmed.tokenize.tokenizer.eos-token)");
            }
            return new ModelTokenizer(name, json, config, eosToken);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + file, e);
        }
    }

    /**
     * Token ids of a text, without special tokens (no BOS, no EOS). Never truncates: an 8 MiB document gives all of
     * its tokens.
     */
    public int[] encode(String text) {
        // The low-level call returns only the ids; HuggingFaceTokenizer.encode would also copy the token strings,
        // word ids, masks and character spans of every token into Java objects, which costs more than the encoding.
        // Truncation and padding are off on this handle (constructor options), and no special tokens are added.
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
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

    /** The text of token ids, special tokens included (for checks and tools). */
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    /** The id of the end-of-sequence token appended to every document. */
    public int eosId() {
        return eosId;
    }

    /** The end-of-sequence token, e.g. {@code </s>}. */
    public String eosToken() {
        return eosToken;
    }

    /** Short name, recorded in every shard and part of shard ids. */
    public String name() {
        return name;
    }

    /** Lower-case hex SHA-256 of the tokenizer.json bytes: the identity of the token ids. */
    public String sha256() {
        return sha256;
    }

    /** Writes tokenizer.json (and tokenizer_config.json when there is one) into a folder, replacing them. */
    public void exportTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(TOKENIZER_JSON), tokenizerJson);
        if (tokenizerConfigJson != null) {
            Files.write(dir.resolve(TOKENIZER_CONFIG_JSON), tokenizerConfigJson);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return name + " (sha256 " + sha256 + ", eos " + eosToken + "=" + eosId + ")";
    }

    private static byte[] resource(String path) throws IOException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ModelTokenizer.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("classpath resource " + path + " is missing: the build fetches it "
                        + "(services/tokenize/src/build/fetch-tokenizer.sh)");
            }
            return in.readAllBytes();
        }
    }

    static String eosTokenFromConfig(byte[] configJson) throws IOException {
        if (configJson == null) {
            throw new IllegalArgumentException("no " + TOKENIZER_CONFIG_JSON + " to read eos_token from");
        }
        JsonNode eos = JSON.readTree(configJson).path("eos_token");
        // Either "eos_token": "</s>" or the AddedToken form "eos_token": {"content": "</s>", ...}.
        String token = eos.isTextual() ? eos.asText() : eos.path("content").asText(null);
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException(TOKENIZER_CONFIG_JSON + " names no eos_token");
        }
        return token;
    }

    /** The id of a token: from added_tokens first, then from the model's vocabulary. */
    static int tokenId(JsonNode definition, String token) {
        for (JsonNode added : definition.path("added_tokens")) {
            if (token.equals(added.path("content").asText(null))) {
                return added.path("id").asInt();
            }
        }
        JsonNode vocab = definition.path("model").path("vocab");
        if (vocab.isObject() && vocab.has(token)) {
            return vocab.get(token).asInt(); // BPE, WordPiece, WordLevel: {"token": id}
        }
        if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) { // Unigram: [["token", score], ...], id = position
                if (token.equals(vocab.get(i).path(0).asText(null))) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException("the EOS token " + token + " is not in the tokenizer's vocabulary");
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
