package io.mmedstream.coordinator.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.coordinator.service.FileUris;
import io.mmedstream.proto.ShardReady;

/**
 * Writes real training shards as services/tokenize/SHARD-FORMAT.md describes them (token file of little-endian
 * uint32, index of little-endian int64 document ends, docs.jsonl, the manifest last, the tokenizer under
 * tokenizers/&lt;sha256&gt;/), and the ShardReady that announces each.
 */
public final class ShardFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A document: its language and its token ids (without the EOS, which is appended). */
    public record Doc(String lang, int[] tokens) {
    }

    private final Path dir;
    private final String tokenizerSha256;
    private final String tokenizerPath;
    private final int eosId;

    /**
     * A storage directory with a tokenizer.json whose vocabulary has {@code vocabSize} ids, id {@code eosId} being
     * the EOS.
     */
    public ShardFiles(Path dir, int vocabSize, int eosId) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.eosId = eosId;
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < vocabSize; i++) {
            vocab.put(i == eosId ? "</s>" : "t" + i, i);
        }
        Map<String, Object> tokenizer = new LinkedHashMap<>();
        tokenizer.put("version", "1.0");
        tokenizer.put("added_tokens", List.of(Map.of("id", eosId, "content", "</s>", "special", true)));
        tokenizer.put("model", Map.of("type", "WordLevel", "vocab", vocab, "unk_token", "t0"));
        byte[] json = JSON.writeValueAsBytes(tokenizer);
        this.tokenizerSha256 = sha256(json);
        Path tokenizerDir = Files.createDirectories(dir.resolve("tokenizers").resolve(tokenizerSha256));
        Files.write(tokenizerDir.resolve("tokenizer.json"), json);
        this.tokenizerPath = "tokenizers/" + tokenizerSha256 + "/tokenizer.json";
    }

    public String tokenizerSha256() {
        return tokenizerSha256;
    }

    /** Writes one shard; returns its announcement. */
    public ShardReady write(String shardId, int seqLen, List<Doc> docs) throws IOException {
        List<Integer> tokens = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Map<String, Long> tokensPerLang = new TreeMap<>();
        Map<String, Integer> docsPerLang = new TreeMap<>();
        for (Doc doc : docs) {
            int start = tokens.size();
            for (int t : doc.tokens()) {
                tokens.add(t);
            }
            tokens.add(eosId);
            ends.add((long) tokens.size());
            int count = tokens.size() - start;
            tokensPerLang.merge(doc.lang(), (long) count, Long::sum);
            docsPerLang.merge(doc.lang(), 1, Integer::sum);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("doc_id", "d" + UUID.randomUUID().toString().replace("-", ""));
            line.put("lang", doc.lang());
            line.put("partition", 0);
            line.put("offset", lines.size());
            line.put("token_start", start);
            line.put("token_count", count);
            lines.add(JSON.writeValueAsString(line));
        }
        ByteBuffer tokenBytes = ByteBuffer.allocate(tokens.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        tokens.forEach(tokenBytes::putInt);
        ByteBuffer indexBytes = ByteBuffer.allocate(ends.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        ends.forEach(indexBytes::putLong);
        byte[] docsBytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(shardId + ".tokens"), tokenBytes.array());
        Files.write(dir.resolve(shardId + ".index"), indexBytes.array());
        Files.write(dir.resolve(shardId + ".docs.jsonl"), docsBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "mmed-shard");
        manifest.put("format_version", 1);
        manifest.put("shard_id", shardId);
        manifest.put("created_at", Instant.now().toString());
        manifest.put("tokenizer_name", "test-wordlevel");
        manifest.put("tokenizer_sha256", tokenizerSha256);
        manifest.put("tokenizer_path", tokenizerPath);
        manifest.put("eos_id", eosId);
        manifest.put("dtype", "uint32");
        manifest.put("index_dtype", "int64");
        manifest.put("seq_len", seqLen);
        manifest.put("token_count", tokens.size());
        manifest.put("document_count", docs.size());
        manifest.put("sequence_count", (tokens.size() + seqLen - 1) / seqLen);
        manifest.put("tokens_per_lang", tokensPerLang);
        manifest.put("docs_per_lang", docsPerLang);
        manifest.put("tokens_file", shardId + ".tokens");
        manifest.put("index_file", shardId + ".index");
        manifest.put("docs_file", shardId + ".docs.jsonl");
        manifest.put("tokens_sha256", sha256(tokenBytes.array()));
        manifest.put("index_sha256", sha256(indexBytes.array()));
        manifest.put("docs_sha256", sha256(docsBytes));
        manifest.put("source_topic", "mmed.docs.accepted.v1");
        manifest.put("source_partition", 0);
        manifest.put("consumer_group", "test");
        manifest.put("first_offset", 0);
        manifest.put("last_offset", docs.size() - 1);
        Path manifestFile = dir.resolve(shardId + ".json");
        Files.write(manifestFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        return ShardReady.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setShardId(shardId)
                .setUri(FileUris.of(manifestFile))
                .setTokenizerName("test-wordlevel")
                .setTokenizerSha256(tokenizerSha256)
                .setSeqLen(seqLen)
                .setTokenCount(tokens.size())
                .setDocumentCount(docs.size())
                .setSequenceCount((tokens.size() + seqLen - 1) / seqLen)
                .setTokensPerLang(tokensPerLang)
                .setDocsPerLang(docsPerLang)
                .setTokensSha256(sha256(tokenBytes.array()))
                .setSourcePartition(0)
                .setFirstOffset(0)
                .setLastOffset(docs.size() - 1)
                .build();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
