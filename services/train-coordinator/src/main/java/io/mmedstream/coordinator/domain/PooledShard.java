package io.mmedstream.coordinator.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A shard announced on the shards topic, as the coordinator keeps it: in the pool of untrained shards, kept aside, or
 * taken into a round.
 *
 * @param shardId the shard id (also the key of its announcement)
 * @param uri where the shard's manifest lies
 * @param tokenizerName short tokenizer name, e.g. internlm2
 * @param tokenizerSha256 SHA-256 of the tokenizer.json the shard was made with
 * @param seqLen sequence length the shard is packed for
 * @param tokenCount tokens in the shard, EOS included
 * @param tokensPerLang tokens per language
 * @param readyAt when the shard was committed
 * @param readyPartition partition of the shards topic its announcement was read from
 * @param readyOffset offset of the announcement in that partition
 */
public record PooledShard(String shardId, String uri, String tokenizerName, String tokenizerSha256, int seqLen,
        long tokenCount, Map<String, Long> tokensPerLang, Instant readyAt, int readyPartition, long readyOffset) {

    public PooledShard {
        Objects.requireNonNull(shardId, "shardId");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(tokenizerSha256, "tokenizerSha256");
        tokensPerLang = Map.copyOf(tokensPerLang);
    }
}
