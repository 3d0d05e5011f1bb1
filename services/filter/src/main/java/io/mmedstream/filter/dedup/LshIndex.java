package io.mmedstream.filter.dedup;

import java.util.Arrays;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Locality-sensitive hashing over MinHash signatures: each signature is cut into {@code bands} bands of
 * {@code rows} values, and two documents become candidates when any band is equal in both (probability
 * 1 - (1 - J^rows)^bands for Jaccard similarity J). Candidates are then verified on the whole signature: a match
 * needs an estimated Jaccard of at least the threshold, so unrelated documents that happen to share a band are not
 * reported.
 *
 * <p>Memory, per document: its signature (4 bytes x bands x rows), its id, and one chained entry per band in an
 * open-addressing table per band (about 12 bytes x 2 for the table at half load, plus 4 for the chain), about
 * 0.9 KiB with the defaults. Thread-safe: one writer at a time (the state follower, the batch commit), readers in
 * parallel.
 */
public final class LshIndex {

    /** A verified near duplicate: the indexed document and the estimated Jaccard similarity. */
    public record Match(String docId, double jaccard, boolean local) {
    }

    private final int bands;
    private final int rows;
    private final BandTable[] tables;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    private String[] ids = new String[64];
    private int[][] signatures = new int[64][];
    private boolean[] local = new boolean[64];
    /** next[doc * bands + band]: the next document (+1) in that band's chain, 0 at its end. */
    private int[] next;
    private int size;

    public LshIndex(int bands, int rows) {
        if (bands < 1 || rows < 1) {
            throw new IllegalArgumentException("need bands >= 1 and rows >= 1");
        }
        this.bands = bands;
        this.rows = rows;
        this.tables = new BandTable[bands];
        for (int b = 0; b < bands; b++) {
            tables[b] = new BandTable();
        }
        this.next = new int[64 * bands];
    }

    public LshIndex(DedupSettings settings) {
        this(settings.bands(), settings.rows());
    }

    /** Documents indexed. */
    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Indexes a document's signature; {@code local} marks documents this process accepted itself. Idempotent: a
     * document already indexed (same id and signature) is not added again. Returns whether it was added.
     */
    public boolean add(String docId, int[] signature, boolean isLocal) {
        checkLength(signature);
        long[] keys = bandKeys(signature);
        lock.writeLock().lock();
        try {
            for (int doc = tables[0].head(keys[0]); doc > 0; doc = next[(doc - 1) * bands]) {
                if (ids[doc - 1].equals(docId) && Arrays.equals(signatures[doc - 1], signature)) {
                    return false;
                }
            }
            if (size == ids.length) {
                int capacity = size * 2;
                ids = Arrays.copyOf(ids, capacity);
                signatures = Arrays.copyOf(signatures, capacity);
                local = Arrays.copyOf(local, capacity);
                next = Arrays.copyOf(next, capacity * bands);
            }
            int doc = size++;
            ids[doc] = docId;
            signatures[doc] = signature.clone();
            local[doc] = isLocal;
            for (int b = 0; b < bands; b++) {
                next[doc * bands + b] = tables[b].push(keys[b], doc + 1);
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The indexed document most similar to this signature among those sharing a band with it, if its estimated
     * Jaccard similarity is at least {@code threshold}; else {@code null}. Ties go to the earlier indexed document.
     */
    public Match bestMatch(int[] signature, double threshold) {
        checkLength(signature);
        long[] keys = bandKeys(signature);
        lock.readLock().lock();
        try {
            int[] seen = new int[16];
            int seenCount = 0;
            int best = -1;
            int bestEqual = -1;
            for (int b = 0; b < bands; b++) {
                for (int doc = tables[b].head(keys[b]); doc > 0; doc = next[(doc - 1) * bands + b]) {
                    if (contains(seen, seenCount, doc)) {
                        continue;
                    }
                    if (seenCount == seen.length) {
                        seen = Arrays.copyOf(seen, seenCount * 2);
                    }
                    seen[seenCount++] = doc;
                    int equal = equalPositions(signatures[doc - 1], signature);
                    if (equal > bestEqual || (equal == bestEqual && doc - 1 < best)) {
                        best = doc - 1;
                        bestEqual = equal;
                    }
                }
            }
            if (best < 0) {
                return null;
            }
            double jaccard = (double) bestEqual / signature.length;
            return jaccard >= threshold ? new Match(ids[best], jaccard, local[best]) : null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether a document with this id is indexed (any signature). Linear: for tests and checks only. */
    public boolean containsDocument(String docId) {
        lock.readLock().lock();
        try {
            for (int i = 0; i < size; i++) {
                if (ids[i].equals(docId)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The band keys of a signature: a 64-bit hash of each band's values, salted with the band number. */
    long[] bandKeys(int[] signature) {
        long[] keys = new long[bands];
        for (int b = 0; b < bands; b++) {
            long h = 0x2545f4914f6cdd1dL * (b + 1);
            for (int r = 0; r < rows; r++) {
                h = (h + (signature[b * rows + r] & 0xffffffffL)) * 0x9e3779b97f4a7c15L;
            }
            keys[b] = Shingler.mix(h);
        }
        return keys;
    }

    private void checkLength(int[] signature) {
        if (signature.length != bands * rows) {
            throw new IllegalArgumentException("a signature of " + signature.length + " values for an index of "
                    + bands + " x " + rows);
        }
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    private static int equalPositions(int[] x, int[] y) {
        int equal = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == y[i]) {
                equal++;
            }
        }
        return equal;
    }

    /** Open addressing, linear probing: band key -> first document (+1) of its chain. */
    private static final class BandTable {
        private long[] keys = new long[64];
        private int[] heads = new int[64];
        private int used;

        int head(long key) {
            int mask = keys.length - 1;
            for (int i = slot(key, mask); heads[i] != 0; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    return heads[i];
                }
            }
            return 0;
        }

        /** Makes {@code doc} the chain's head; returns the previous head (0 if none). */
        int push(long key, int doc) {
            if ((used + 1) * 2 > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = slot(key, mask);
            while (heads[i] != 0) {
                if (keys[i] == key) {
                    int previous = heads[i];
                    heads[i] = doc;
                    return previous;
                }
                i = (i + 1) & mask;
            }
            keys[i] = key;
            heads[i] = doc;
            used++;
            return 0;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldHeads = heads;
            keys = new long[oldKeys.length * 2];
            heads = new int[oldHeads.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldHeads[j] != 0) {
                    int i = slot(oldKeys[j], mask);
                    while (heads[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = oldKeys[j];
                    heads[i] = oldHeads[j];
                }
            }
        }

        private static int slot(long key, int mask) {
            return (int) (key ^ (key >>> 32)) & mask;
        }
    }
}
