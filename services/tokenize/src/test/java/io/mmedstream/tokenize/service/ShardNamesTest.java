package io.mmedstream.tokenize.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardNamesTest {

    @Test
    void shardIdsAreZeroPaddedAndDecodeBackFromEveryFileName() {
        String id = ShardNames.shardId("internlm2", 7, 1234);
        assertThat(id).isEqualTo("internlm2-p007-o000000001234");

        for (String suffix : new String[] { ".tokens", ".index", ".docs.jsonl", ".json" }) {
            ShardNames.ShardFile file = ShardNames.parse(id + suffix).orElseThrow();
            assertThat(file.shardId()).isEqualTo(id);
            assertThat(file.tokenizer()).isEqualTo("internlm2");
            assertThat(file.partition()).isEqualTo(7);
            assertThat(file.firstOffset()).isEqualTo(1234);
            assertThat(file.isManifest()).isEqualTo(suffix.equals(".json"));
        }
    }

    @Test
    void tokenizerNamesWithHyphensAndLargeNumbersDecode() {
        String id = ShardNames.shardId("llama-3.1", 1234, 98_765_432_109_876L);
        assertThat(id).isEqualTo("llama-3.1-p1234-o98765432109876");
        ShardNames.ShardFile file = ShardNames.parse(id + ".tokens").orElseThrow();
        assertThat(file.tokenizer()).isEqualTo("llama-3.1");
        assertThat(file.partition()).isEqualTo(1234);
        assertThat(file.firstOffset()).isEqualTo(98_765_432_109_876L);
    }

    @Test
    void otherFilesAreNotShardFiles() {
        assertThat(ShardNames.parse("tokenizers")).isEmpty();
        assertThat(ShardNames.parse("internlm2-p007-o000000001234.tmp")).isEmpty();
        assertThat(ShardNames.parse("internlm2-p7-o000000001234.json")).isEmpty();
        assertThat(ShardNames.parseStaged("internlm2-p007-o000000001234.8812734")).isPresent();
    }
}
