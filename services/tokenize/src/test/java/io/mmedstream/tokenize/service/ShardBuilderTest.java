package io.mmedstream.tokenize.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.domain.ShardManifest;

class ShardBuilderTest {

    private static final int EOS = 2;
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path storage;

    private ShardBuilder builder(int seqLen) {
        return new ShardBuilder("tok", SHA, EOS, seqLen).source("mmed.docs.accepted.v1", 4, "group-a");
    }

    @Test
    void packsDocumentsBackToBackEachFollowedByEosWithoutPadding() throws IOException {
        ShardBuilder shard = builder(4);
        shard.add("d1", "en", 10, new int[] { 5, 6, 7 });
        shard.add("d2", "zh", 11, new int[] { 8 });
        shard.add("d3", "en", 13, new int[] { 9, 10 });

        ShardManifest manifest = shard.writeTo(storage, "tok-p004-o000000000010");

        assertThat(readInts(storage.resolve("tok-p004-o000000000010.tokens")))
                .containsExactly(5, 6, 7, EOS, 8, EOS, 9, 10, EOS);
        assertThat(Files.size(storage.resolve("tok-p004-o000000000010.tokens"))).isEqualTo(9 * 4);
        assertThat(readLongs(storage.resolve("tok-p004-o000000000010.index"))).containsExactly(4L, 6L, 9L);
        assertThat(manifest.tokenCount()).isEqualTo(9);
        assertThat(manifest.documentCount()).isEqualTo(3);
        assertThat(manifest.sequenceCount()).isEqualTo(3); // ceil(9 / 4): 4 + 4 + 1, the last one short
        assertThat(manifest.eosId()).isEqualTo(EOS);
        assertThat(manifest.seqLen()).isEqualTo(4);
        assertThat(manifest.dtype()).isEqualTo("uint32");
        assertThat(manifest.firstOffset()).isEqualTo(10);
        assertThat(manifest.lastOffset()).isEqualTo(13);
        assertThat(manifest.sourcePartition()).isEqualTo(4);
        assertThat(manifest.consumerGroup()).isEqualTo("group-a");
        assertThat(manifest.tokenizerPath()).isEqualTo("tokenizers/" + SHA + "/tokenizer.json");
    }

    @Test
    void countsTokensAndDocumentsPerLanguageEosIncluded() throws IOException {
        ShardBuilder shard = builder(2048);
        shard.add("d1", "en", 0, new int[] { 5, 6, 7 });
        shard.add("d2", "zh", 1, new int[] { 8 });
        shard.add("d3", "en", 2, new int[] { 9, 10 });
        shard.add("d4", "ja", 3, new int[0]);

        ShardManifest manifest = shard.writeTo(storage, "tok-p004-o000000000000");

        assertThat(manifest.tokensPerLang()).containsExactlyInAnyOrderEntriesOf(Map.of("en", 7L, "zh", 2L, "ja", 1L));
        assertThat(manifest.docsPerLang()).containsExactlyInAnyOrderEntriesOf(Map.of("en", 2, "zh", 1, "ja", 1));
        assertThat(manifest.tokensPerLang().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(manifest.tokenCount());
        assertThat(manifest.sequenceCount()).isEqualTo(1);
    }

    @Test
    void sequenceCountIsExactWhenTokensFillWholeSequences() {
        ShardBuilder shard = builder(4);
        shard.add("d1", "en", 0, new int[] { 5, 6, 7 });
        shard.add("d2", "en", 1, new int[] { 5, 6, 7 });
        assertThat(shard.tokenCount()).isEqualTo(8);
        assertThat(shard.sequenceCount()).isEqualTo(2);
    }

    @Test
    void docsFileListsEveryDocumentWithItsTokenRangeAndSource() throws IOException {
        ShardBuilder shard = builder(4);
        shard.add("d1", "en", 10, new int[] { 5, 6, 7 });
        shard.add("d2", "zh", 11, new int[] { 8 });

        shard.writeTo(storage, "tok-p004-o000000000010");

        ObjectMapper json = new ObjectMapper();
        List<ShardDocument> docs = new ArrayList<>();
        for (String line : Files.readAllLines(storage.resolve("tok-p004-o000000000010.docs.jsonl"))) {
            docs.add(json.readValue(line, ShardDocument.class));
        }
        assertThat(docs).containsExactly(
                new ShardDocument("d1", "en", 4, 10, 0, 4),
                new ShardDocument("d2", "zh", 4, 11, 4, 2));
    }

    @Test
    void manifestChecksumsMatchTheFilesAndTheManifestReadsBack() throws Exception {
        ShardBuilder shard = builder(4);
        shard.add("d1", "en", 10, new int[] { 5, 6, 7 });

        ShardManifest written = shard.writeTo(storage, "tok-p004-o000000000010");

        assertThat(written.tokensSha256()).isEqualTo(sha256(storage.resolve(written.tokensFile())));
        assertThat(written.indexSha256()).isEqualTo(sha256(storage.resolve(written.indexFile())));
        assertThat(written.docsSha256()).isEqualTo(sha256(storage.resolve(written.docsFile())));
        assertThat(ShardManifest.read(storage.resolve("tok-p004-o000000000010.json"))).isEqualTo(written);
    }

    @Test
    void writesTheManifestLastAndLeavesNoStagingBehind() throws Exception {
        ShardBuilder shard = builder(4);
        shard.add("d1", "en", 10, new int[] { 5, 6, 7 });
        List<String> created = new ArrayList<>();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            storage.register(watch, StandardWatchEventKinds.ENTRY_CREATE);

            shard.writeTo(storage, "tok-p004-o000000000010");

            // Renames into the directory arrive as ENTRY_CREATE events, in the order they happened.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
                if (key != null) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        created.add(event.context().toString());
                    }
                    key.reset();
                }
                return created.stream().filter(n -> n.startsWith("tok-")).count() >= 4;
            });
        }
        List<String> shardFiles = created.stream().filter(n -> n.startsWith("tok-")).toList();
        assertThat(shardFiles).hasSize(4);
        assertThat(shardFiles.get(3)).isEqualTo("tok-p004-o000000000010.json");
        try (var staged = Files.list(storage.resolve(ShardNames.STAGING_DIR))) {
            assertThat(staged).isEmpty();
        }
    }

    @Test
    void rewritingAShardReplacesTheFilesOfTheEarlierAttempt() throws IOException {
        ShardBuilder first = builder(4);
        first.add("d1", "en", 10, new int[] { 5, 6, 7, 8, 9 });
        first.writeTo(storage, "tok-p004-o000000000010");
        ShardBuilder again = builder(4);
        again.add("d1", "en", 10, new int[] { 5 });

        ShardManifest manifest = again.writeTo(storage, "tok-p004-o000000000010");

        assertThat(readInts(storage.resolve("tok-p004-o000000000010.tokens"))).containsExactly(5, EOS);
        assertThat(ShardManifest.read(storage.resolve("tok-p004-o000000000010.json"))).isEqualTo(manifest);
    }

    @Test
    void rejectsDocumentsOutOfOffsetOrderAndWithoutIdOrLanguage() {
        ShardBuilder shard = builder(4);
        shard.add("d1", "en", 10, new int[] { 5 });

        assertThatThrownBy(() -> shard.add("d2", "en", 10, new int[] { 5 }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offsets must increase");
        assertThatThrownBy(() -> shard.add(" ", "en", 11, new int[] { 5 }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> shard.add("d3", "", 11, new int[] { 5 }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(shard.documentCount()).isEqualTo(1);
        assertThat(shard.tokenCount()).isEqualTo(2);
    }

    @Test
    void refusesToWriteAnEmptyShard() {
        assertThatThrownBy(() -> builder(4).writeTo(storage, "tok-p004-o000000000010"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(storage.resolve("tok-p004-o000000000010.json")).doesNotExist();
    }

    @Test
    void growsPastItsInitialCapacity() throws IOException {
        ShardBuilder shard = builder(2048);
        int[] doc = new int[3000];
        for (int i = 0; i < doc.length; i++) {
            doc[i] = 100 + i;
        }
        for (int d = 0; d < 5; d++) {
            shard.add("d" + d, "en", d, doc);
        }
        ShardManifest manifest = shard.writeTo(storage, "tok-p004-o000000000000");

        int[] tokens = readInts(storage.resolve(manifest.tokensFile()));
        assertThat(tokens).hasSize(5 * 3001);
        assertThat(tokens[3000]).isEqualTo(EOS);
        assertThat(tokens[3001]).isEqualTo(100);
        assertThat(tokens[5 * 3001 - 2]).isEqualTo(3099);
        assertThat(manifest.sequenceCount()).isEqualTo((5 * 3001 + 2047) / 2048);
    }

    static int[] readInts(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[] values = new int[buffer.remaining() / 4];
        buffer.asIntBuffer().get(values);
        return values;
    }

    static long[] readLongs(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long[] values = new long[buffer.remaining() / 8];
        buffer.asLongBuffer().get(values);
        return values;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
