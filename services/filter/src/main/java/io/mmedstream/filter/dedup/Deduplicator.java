package io.mmedstream.filter.dedup;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The deduplication step, run on documents the engine accepted: exact first (the doc_id, which is the hash of the
 * normalised text, accepted before in its partition), then near (a MinHash LSH match with an accepted document, any
 * partition). Plain Java: the state is two in-memory indexes, which a {@link StateSync} keeps in line with the state
 * topics in the service, and which tests, the evaluation and the benchmark use alone ({@link #inMemory}).
 *
 * <p>Transactions: the filter decides a batch, then commits its outputs in one Kafka transaction, or aborts and
 * reads the batch again. So {@link #check} keeps what it accepts in a pending overlay, which later documents of the
 * same batch are checked against too (a duplicate inside one batch is caught); {@link #commit} moves it into the
 * indexes when the transaction committed, {@link #abort} forgets it. Not for concurrent batches: one
 * {@link #beginBatch} ... {@link #commit}/{@link #abort} at a time.
 */
public final class Deduplicator implements AutoCloseable {

    /** Brings the indexes up to date with the state topics before a batch is decided. */
    public interface StateSync extends AutoCloseable {

        /**
         * Returns when the indexes hold every committed state entry of these input partitions (and, for the near
         * index, of all partitions as far as this instance has read them), or throws when that takes longer than
         * the restore timeout. {@code generation} is the consumer group generation the batch was read in.
         */
        void sync(int generation, Set<Integer> partitions);

        @Override
        void close();
    }

    private final DedupSettings settings;
    private final String instanceId;
    private final ExactIndex exact;
    private final LshIndex near;
    private final StateSync sync;
    private final Shingler shingler;
    private final MinHasher hasher;

    private final Map<String, ExactEntry> pendingExact = new HashMap<>();
    private LshIndex pendingNear;
    private final Map<String, int[]> pendingSignatures = new LinkedHashMap<>();

    public Deduplicator(DedupSettings settings, String instanceId, ExactIndex exact, LshIndex near, StateSync sync) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.instanceId = instanceId == null ? "" : instanceId;
        this.exact = Objects.requireNonNull(exact, "exact");
        this.near = Objects.requireNonNull(near, "near");
        this.sync = sync;
        this.shingler = new Shingler(settings);
        this.hasher = new MinHasher(settings);
    }

    /** A deduplicator whose state lives only in this object (tests, evaluation, benchmark). */
    public static Deduplicator inMemory(DedupSettings settings) {
        return new Deduplicator(settings, "memory", new ExactIndex(), new LshIndex(settings), null);
    }

    public DedupSettings settings() {
        return settings;
    }

    /** The committed exact state. */
    public ExactIndex exactIndex() {
        return exact;
    }

    /** The committed near state (all partitions). */
    public LshIndex nearIndex() {
        return near;
    }

    /** Starts a batch read in this consumer group generation from these partitions; see {@link StateSync#sync}. */
    public void beginBatch(int generation, Set<Integer> partitions) {
        clearPending();
        if (sync != null && (settings.exactEnabled() || settings.nearEnabled())) {
            sync.sync(generation, partitions);
        }
    }

    /** Decides on one document the engine accepted; a unique one joins the batch's pending state. */
    public DedupOutcome check(DedupRequest doc) {
        if (settings.exactEnabled()) {
            ExactEntry first = pendingExact.get(doc.docId());
            if (first == null) {
                first = exact.get(doc.partition(), doc.docId());
            }
            if (first != null) {
                return new DedupOutcome.ExactDuplicate(first);
            }
        }
        NearEntry nearEntry = null;
        if (settings.nearEnabled()) {
            int[] signature = signature(doc.text(), doc.lang());
            if (signature != null) {
                LshIndex.Match match = near.bestMatch(signature, settings.threshold());
                LshIndex.Match inBatch = pendingNear == null ? null
                        : pendingNear.bestMatch(signature, settings.threshold());
                if (inBatch != null && (match == null || inBatch.jaccard() > match.jaccard())) {
                    match = inBatch;
                }
                if (match != null) {
                    return new DedupOutcome.NearDuplicate(match.docId(), match.jaccard());
                }
                nearEntry = new NearEntry(doc.docId(), doc.lang(), settings.scheme(), signature, doc.partition(),
                        doc.offset(), doc.acceptedAtMillis(), instanceId);
                if (pendingNear == null) {
                    pendingNear = new LshIndex(settings);
                }
                pendingNear.add(doc.docId(), signature, true);
                pendingSignatures.put(doc.docId(), signature);
            }
        }
        ExactEntry exactEntry = null;
        if (settings.exactEnabled()) {
            exactEntry = new ExactEntry(doc.docId(), doc.ingestedEventId(), doc.partition(), doc.offset(),
                    doc.originTopic(), doc.originPartition(), doc.originOffset(), doc.source(),
                    doc.acceptedAtMillis(), instanceId);
            pendingExact.put(doc.docId(), exactEntry);
        }
        return new DedupOutcome.Unique(exactEntry, nearEntry);
    }

    /** The batch's outputs committed: what it accepted joins the indexes. */
    public void commit() {
        pendingExact.values().forEach(exact::putIfAbsent);
        pendingSignatures.forEach((docId, signature) -> near.add(docId, signature, true));
        clearPending();
    }

    /** The batch's transaction aborted: it will be decided again, so forget what it accepted. */
    public void abort() {
        clearPending();
    }

    /** The MinHash signature of a text in a language, or {@code null} when it has no tokens. */
    public int[] signature(String text, String lang) {
        Shingler.Hashes hashes = shingler.hashes(text, lang, null);
        return hasher.signature(hashes.values(), hashes.count());
    }

    private void clearPending() {
        pendingExact.clear();
        pendingSignatures.clear();
        pendingNear = null;
    }

    @Override
    public void close() {
        if (sync != null) {
            sync.close();
        }
    }
}
