package io.mmedstream.tokenize.service;

import java.time.Duration;

/**
 * When a partition's open shard is closed and committed.
 *
 * @param targetTokens close as soon as the shard holds at least this many tokens (the document that crosses it is
 *        kept whole, so a shard may exceed it by one document)
 * @param maxIdle close a non-empty shard when its partition has delivered nothing for this long
 * @param maxAge close a non-empty shard this long after its first document, however busy the partition
 */
public record ShardPolicy(long targetTokens, Duration maxIdle, Duration maxAge) {

    public ShardPolicy {
        if (targetTokens < 1) {
            throw new IllegalArgumentException("target tokens must be >= 1: " + targetTokens);
        }
        if (maxIdle.isNegative() || maxAge.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }
}
