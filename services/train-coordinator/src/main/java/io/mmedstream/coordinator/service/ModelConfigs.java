package io.mmedstream.coordinator.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mmedstream.coordinator.domain.PooledShard;
import io.quarkus.logging.Log;

/**
 * The config.json of a fresh model, for lineages that start without a base checkpoint (the embedded default): a
 * template (by default {@value #BUNDLED}, a 2-layer Llama with hidden size 128 that trains on a CPU in minutes) whose
 * {@code vocab_size} is set to the vocabulary of the round's tokenizer, read from the tokenizer.json that tokenize
 * published beside the shards ({@code tokenizer_path} of a shard manifest). When that file cannot be read (shards on
 * a volume the coordinator does not mount) the template's vocab_size stays (92544, InternLM2's). A missing
 * {@code eos_token_id} is filled in by the trainer from the shards.
 */
public final class ModelConfigs {

    /** The bundled template, a class-path resource. */
    public static final String BUNDLED = "tiny-llama-config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode template;

    private ModelConfigs(ObjectNode template) {
        this.template = template;
    }

    /** From a config.json file, or the bundled template when none is given. */
    public static ModelConfigs load(Optional<Path> file) {
        try {
            JsonNode node;
            if (file.isPresent()) {
                node = JSON.readTree(file.get().toFile());
            } else {
                try (InputStream in = ModelConfigs.class.getClassLoader().getResourceAsStream(BUNDLED)) {
                    if (in == null) {
                        throw new IllegalStateException(BUNDLED + " is missing from the class path");
                    }
                    node = JSON.readTree(in);
                }
            }
            if (!(node instanceof ObjectNode object) || !object.path("vocab_size").isInt()) {
                throw new IllegalArgumentException("a model config must be a JSON object with vocab_size: "
                        + file.map(Path::toString).orElse(BUNDLED));
            }
            return new ModelConfigs(object);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the model config "
                    + file.map(Path::toString).orElse(BUNDLED) + ": " + e.getMessage(), e);
        }
    }

    /** The template's vocab_size. */
    public int templateVocabSize() {
        return template.get("vocab_size").asInt();
    }

    /** The config for a fresh model trained on shards like {@code shard}, as JSON text. */
    public String forShard(PooledShard shard) {
        ObjectNode config = template.deepCopy();
        tokenizerJson(shard).flatMap(ModelConfigs::vocabSize).ifPresentOrElse(
                vocab -> config.put("vocab_size", vocab),
                () -> Log.warnf("cannot read the tokenizer of shard %s; the fresh model keeps vocab_size %d",
                        shard.shardId(), templateVocabSize()));
        try {
            return JSON.writeValueAsString(config) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tokenizer.json a shard names (manifest {@code tokenizer_path}, relative to its storage directory). */
    static Optional<Path> tokenizerJson(PooledShard shard) {
        try {
            Path manifest = FileUris.toPath(shard.uri());
            JsonNode node = JSON.readTree(manifest.toFile());
            String relative = node.path("tokenizer_path").asText("");
            if (relative.isEmpty()) {
                return Optional.empty();
            }
            Path file = manifest.getParent().resolve(relative);
            return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The vocabulary size of a Hugging Face tokenizer.json: one more than the largest id in {@code model.vocab} and
     * {@code added_tokens}. Streams the file: it can be tens of megabytes.
     */
    public static Optional<Integer> vocabSize(Path tokenizerJson) {
        try (JsonParser p = JSON.getFactory().createParser(tokenizerJson.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            int max = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("added_tokens".equals(field) && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode token = p.readValueAsTree();
                        if (token.path("id").isInt()) {
                            max = Math.max(max, token.get("id").asInt());
                        }
                    }
                } else if ("model".equals(field) && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String modelField = p.currentName();
                        JsonToken modelValue = p.nextToken();
                        if ("vocab".equals(modelField) && modelValue == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                if (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                                    max = Math.max(max, p.getIntValue());
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return max >= 0 ? Optional.of(max + 1) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** SHA-256 (hex) of a file: how tokenizers are identified (the shards' tokenizer_sha256). */
    public static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
