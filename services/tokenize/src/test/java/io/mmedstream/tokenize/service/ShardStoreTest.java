package io.mmedstream.tokenize.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.tokenize.domain.ShardManifest;

class ShardStoreTest {

    private static final String GROUP = "mmed-tokenize";

    @TempDir
    Path dir;

    private ShardManifest shard(String tokenizer, String group, int partition, long firstOffset, int docs)
            throws IOException {
        ShardBuilder builder = new ShardBuilder(tokenizer, "cd".repeat(32), 2, 4)
                .source("mmed.docs.accepted.v1", partition, group);
        for (int i = 0; i < docs; i++) {
            builder.add("d" + partition + "-" + (firstOffset + i), "en", firstOffset + i, new int[] { 7, 8 });
        }
        return builder.writeTo(dir, ShardNames.shardId(tokenizer, partition, firstOffset));
    }

    /** The files a crash between the renames of the data files and of the manifest leaves behind. */
    private void partialShard(String tokenizer, int partition, long firstOffset) throws IOException {
        String id = ShardNames.shardId(tokenizer, partition, firstOffset);
        shard(tokenizer, GROUP, partition, firstOffset, 1);
        Files.delete(dir.resolve(id + ShardNames.MANIFEST));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void listsOnlyShardsWhoseManifestExists() throws IOException {
        shard("tok", GROUP, 0, 0, 2);
        partialShard("tok", 0, 2);
        Files.writeString(dir.resolve("notes.txt"), "not a shard");

        ShardStore store = new ShardStore(dir);

        assertThat(store.manifests()).extracting(ShardManifest::shardId).containsExactly("tok-p000-o000000000000");
        assertThat(store.manifest("tok-p000-o000000000002")).isEmpty();
    }

    @Test
    void recoveryDeletesTheShardsAtOrAfterTheCommittedOffsetAndKeepsTheCommittedOnes() throws IOException {
        shard("tok", GROUP, 1, 0, 5);   // offsets 0..4, committed
        shard("tok", GROUP, 1, 5, 5);   // offsets 5..9, committed
        shard("tok", GROUP, 1, 10, 5);  // offsets 10..14, written but never committed
        shard("tok", GROUP, 1, 15, 5);  // idem

        ShardStore.Recovery recovery = new ShardStore(dir).recoverPartition("tok", GROUP, 1, 10);

        assertThat(recovery.deletedShards()).containsExactly("tok-p001-o000000000010", "tok-p001-o000000000015");
        assertThat(files()).allMatch(n -> n.startsWith("tok-p001-o000000000000.")
                || n.startsWith("tok-p001-o000000000005."));
        assertThat(files()).hasSize(8);
    }

    @Test
    void recoveryWithoutACommittedOffsetDeletesEveryShardOfTheGroupForThatPartition() throws IOException {
        shard("tok", GROUP, 1, 0, 5);

        ShardStore.Recovery recovery = new ShardStore(dir).recoverPartition("tok", GROUP, 1, 0);

        assertThat(recovery.deletedShards()).containsExactly("tok-p001-o000000000000");
        assertThat(files()).isEmpty();
    }

    @Test
    void recoveryLeavesOtherPartitionsTokenizersAndConsumerGroupsAlone() throws IOException {
        shard("tok", GROUP, 2, 10, 1);
        shard("other", GROUP, 1, 10, 1);
        shard("tok", "another-group", 1, 30, 1);
        shard("tok", GROUP, 1, 10, 1);

        ShardStore.Recovery recovery = new ShardStore(dir).recoverPartition("tok", GROUP, 1, 0);

        assertThat(recovery.deletedShards()).containsExactly("tok-p001-o000000000010");
        assertThat(recovery.foreignShards()).containsExactly("tok-p001-o000000000030");
        assertThat(files()).contains("tok-p002-o000000000010.json", "other-p001-o000000000010.json",
                "tok-p001-o000000000030.json", "tok-p001-o000000000030.tokens")
                .doesNotContain("tok-p001-o000000000010.json", "tok-p001-o000000000010.tokens");
    }

    @Test
    void recoveryRemovesPartiallyWrittenShardsAndStagingFoldersOfThePartition() throws IOException {
        partialShard("tok", 1, 3); // before the committed offset, yet never a shard: no manifest
        Files.createDirectories(dir.resolve(".staging/tok-p001-o000000000020.123456"));
        Files.writeString(dir.resolve(".staging/tok-p001-o000000000020.123456/tok-p001-o000000000020.tokens"), "x");
        Files.createDirectories(dir.resolve(".staging/tok-p002-o000000000020.99"));

        ShardStore.Recovery recovery = new ShardStore(dir).recoverPartition("tok", GROUP, 1, 10);

        assertThat(recovery.deletedShards()).containsExactly("tok-p001-o000000000003");
        assertThat(recovery.deletedStagingFolders()).isEqualTo(1);
        assertThat(files()).isEmpty();
        assertThat(dir.resolve(".staging/tok-p002-o000000000020.99")).exists();
    }

    @Test
    void publishesTheTokenizerOnceUnderItsHashAndRepairsADamagedCopy() throws IOException {
        Path json = Files.writeString(dir.resolve("src-tokenizer.json"), ModelTokenizerTest.WORD_LEVEL);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<eos>\"}");
        try (ModelTokenizer tokenizer = ModelTokenizer.load(json, "tiny")) {
            ShardStore store = new ShardStore(dir.resolve("store"));

            Path published = store.publishTokenizer(tokenizer);

            assertThat(published).isEqualTo(dir.resolve("store/tokenizers/" + tokenizer.sha256()));
            assertThat(ModelTokenizer.sha256Hex(Files.readAllBytes(published.resolve("tokenizer.json"))))
                    .isEqualTo(tokenizer.sha256());
            assertThat(published.resolve("tokenizer_config.json")).exists();

            Files.writeString(published.resolve("tokenizer.json"), "damaged");
            assertThat(store.publishTokenizer(tokenizer)).isEqualTo(published);
            assertThat(ModelTokenizer.sha256Hex(Files.readAllBytes(published.resolve("tokenizer.json"))))
                    .isEqualTo(tokenizer.sha256());
        }
    }
}
