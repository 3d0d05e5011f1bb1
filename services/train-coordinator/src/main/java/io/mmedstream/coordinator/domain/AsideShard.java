package io.mmedstream.coordinator.domain;

/**
 * A shard that is neither in the pool nor in a live round, with the reason.
 *
 * @param shard the shard
 * @param reason machine-readable reason: {@code tokenizer_mismatch} (made with another tokenizer than the lineage
 *        trains on) or {@code round_failed} (its round FAILED; the shard is not re-planned automatically)
 * @param detail human-readable explanation
 */
public record AsideShard(PooledShard shard, String reason, String detail) {

    /** The shard was made with a tokenizer the current lineage does not train on. */
    public static final String TOKENIZER_MISMATCH = "tokenizer_mismatch";
    /** The shard belongs to a FAILED round. */
    public static final String ROUND_FAILED = "round_failed";
}
