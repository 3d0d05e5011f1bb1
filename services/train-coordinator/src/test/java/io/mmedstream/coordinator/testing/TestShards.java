package io.mmedstream.coordinator.testing;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.proto.ShardReady;

/** Shards and their announcements for tests. */
public final class TestShards {

    /** A tokenizer hash the tests use (the SHA-256 of nothing in particular). */
    public static final String TOKENIZER_A = "a".repeat(64);
    public static final String TOKENIZER_B = "b".repeat(64);

    private TestShards() {
    }

    /** A pooled shard with tokens in one language. */
    public static PooledShard shard(String id, long tokens, String lang, Instant readyAt) {
        return shard(id, TOKENIZER_A, Map.of(lang, tokens), readyAt, 0, 0);
    }

    public static PooledShard shard(String id, String tokenizer, Map<String, Long> tokensPerLang, Instant readyAt,
            int partition, long offset) {
        long total = tokensPerLang.values().stream().mapToLong(Long::longValue).sum();
        return new PooledShard(id, "file:///shards/" + id + ".json", "internlm2", tokenizer, 64, total,
                tokensPerLang, readyAt, partition, offset);
    }

    /** A ShardReady announcement. */
    public static ShardReady announcement(String shardId, String uri, String tokenizer, long tokens,
            Map<String, Long> tokensPerLang, int seqLen) {
        return ShardReady.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setShardId(shardId)
                .setUri(uri)
                .setTokenizerName("internlm2")
                .setTokenizerSha256(tokenizer)
                .setSeqLen(seqLen)
                .setTokenCount(tokens)
                .setDocumentCount(1)
                .setSequenceCount((int) ((tokens + seqLen - 1) / seqLen))
                .setTokensPerLang(tokensPerLang)
                .setDocsPerLang(Map.of())
                .setTokensSha256("0".repeat(64))
                .setSourcePartition(0)
                .setFirstOffset(0)
                .setLastOffset(0)
                .build();
    }
}
