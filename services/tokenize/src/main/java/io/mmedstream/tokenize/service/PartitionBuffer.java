package io.mmedstream.tokenize.service;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The open shard of one source partition and the partition's offsets: which records it has consumed, which are
 * committed, and when the shard is due. Documents of a partition arrive in offset order, so a shard holds a run of
 * consecutive records (gaps are transaction markers and skipped records).
 *
 * <p>The offset to commit with a shard is one past the last record consumed, documents and skipped (undecodable)
 * records alike: the open shard always holds every consumed, uncommitted document of the partition, because a shard
 * is committed as soon as it is due. Plain Java, not thread-safe.
 */
public final class PartitionBuffer {

    private final int partition;
    private final ShardPolicy policy;
    private final Supplier<ShardBuilder> newBuilder;

    private ShardBuilder builder;
    private long committedOffset;
    private long nextOffset;
    private Instant firstDocumentAt;
    private Instant lastRecordAt;

    /**
     * @param partition the source partition
     * @param committedOffset the group's committed offset for it (next offset to read)
     * @param policy when shards are due
     * @param newBuilder makes an empty builder for the next shard
     */
    public PartitionBuffer(int partition, long committedOffset, ShardPolicy policy, Supplier<ShardBuilder> newBuilder) {
        this.partition = partition;
        this.policy = policy;
        this.newBuilder = newBuilder;
        this.committedOffset = committedOffset;
        this.nextOffset = committedOffset;
        this.builder = newBuilder.get();
    }

    public int partition() {
        return partition;
    }

    /** Adds a tokenized document read at {@code offset}. */
    public void add(long offset, String docId, String lang, int[] tokens, Instant now) {
        builder.add(docId, lang, offset, tokens);
        consumed(offset, now);
        if (firstDocumentAt == null) {
            firstDocumentAt = now;
        }
    }

    /** Records that the record at {@code offset} was consumed and will not be in any shard. */
    public void skip(long offset, Instant now) {
        consumed(offset, now);
    }

    private void consumed(long offset, Instant now) {
        if (offset < nextOffset) {
            throw new IllegalArgumentException("partition " + partition + ": offset " + offset
                    + " was consumed already (next is " + nextOffset + ")");
        }
        nextOffset = offset + 1;
        lastRecordAt = now;
    }

    /** The open shard. */
    public ShardBuilder shard() {
        return builder;
    }

    /** Whether the open shard has reached its target size. */
    public boolean isFull() {
        return builder.tokenCount() >= policy.targetTokens();
    }

    /**
     * Whether something should be committed now: a full shard, a non-empty shard whose partition went idle or that
     * grew old, or, with no documents, offsets of skipped records once the partition went idle.
     */
    public boolean isDue(Instant now) {
        if (!hasUncommittedOffsets()) {
            return false;
        }
        boolean idle = !Duration.between(lastRecordAt, now).minus(policy.maxIdle()).isNegative();
        if (builder.isEmpty()) {
            return idle;
        }
        boolean old = !Duration.between(firstDocumentAt, now).minus(policy.maxAge()).isNegative();
        return isFull() || idle || old;
    }

    /** Whether records were consumed since the last commit. */
    public boolean hasUncommittedOffsets() {
        return nextOffset > committedOffset;
    }

    /** The offset to commit with the open shard: one past the last consumed record. */
    public long commitOffset() {
        return nextOffset;
    }

    /** The committed offset: the next offset a restarted consumer reads. */
    public long committedOffset() {
        return committedOffset;
    }

    /** Marks everything consumed as committed and opens a new, empty shard. */
    public void committed() {
        committedOffset = nextOffset;
        builder = newBuilder.get();
        firstDocumentAt = null;
    }
}
