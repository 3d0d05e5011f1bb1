package io.mmedstream.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.coordinator.domain.PooledShard;

class ModelConfigsTest {

    @TempDir
    Path dir;

    @Test
    void vocabularySizeIsOneMoreThanTheLargestIdOfVocabAndAddedTokens() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":0,\"content\":\"<unk>\"},"
                + "{\"id\":9,\"content\":\"<eos>\",\"special\":true}],\"normalizer\":null,"
                + "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":1,\"b\":2,\"c\":7},\"merges\":[\"a b\"]}}");
        assertThat(ModelConfigs.vocabSize(json)).contains(10);
        Files.writeString(json, "{\"model\":{\"vocab\":{\"a\":1,\"b\":12}}}");
        assertThat(ModelConfigs.vocabSize(json)).contains(13);
        Files.writeString(json, "[]");
        assertThat(ModelConfigs.vocabSize(json)).isEmpty();
    }

    @Test
    void aFreshModelGetsTheVocabularyOfTheShardsTokenizer() throws Exception {
        Path tokenizerDir = Files.createDirectories(dir.resolve("tokenizers/abc"));
        Files.writeString(tokenizerDir.resolve("tokenizer.json"), "{\"model\":{\"vocab\":{\"a\":0,\"b\":299}}}");
        Path manifest = dir.resolve("s1.json");
        Files.writeString(manifest, "{\"format\":\"mmed-shard\",\"tokenizer_path\":\"tokenizers/abc/tokenizer.json\"}");
        PooledShard shard = new PooledShard("s1", FileUris.of(manifest), "t", "abc", 64, 10, Map.of("en", 10L),
                Instant.now(), 0, 0);
        JsonNode config = new ObjectMapper().readTree(ModelConfigs.load(Optional.empty()).forShard(shard));
        assertThat(config.get("vocab_size").asInt()).isEqualTo(300);
        assertThat(config.get("hidden_size").asInt()).isEqualTo(128);
        assertThat(config.get("num_hidden_layers").asInt()).isEqualTo(2);
    }

    @Test
    void withoutAReadableTokenizerTheTemplateVocabularyStays() throws Exception {
        PooledShard shard = new PooledShard("s1", "file:///nowhere/s1.json", "t", "abc", 64, 10, Map.of(),
                Instant.now(), 0, 0);
        ModelConfigs configs = ModelConfigs.load(Optional.empty());
        assertThat(configs.templateVocabSize()).isEqualTo(92544);
        assertThat(new ObjectMapper().readTree(configs.forShard(shard)).get("vocab_size").asInt()).isEqualTo(92544);
    }

    @Test
    void sha256IdentifiesATokenizerFile() throws Exception {
        Path file = dir.resolve("x");
        Files.writeString(file, "abc");
        assertThat(ModelConfigs.sha256(file))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
