package io.mmedstream.filter.dedup;

import java.util.SplittableRandom;

/**
 * MinHash signatures of shingle sets. Each shingle is hashed once to 64 bits ({@link Shingler}); permutation i maps
 * that hash x to the high 32 bits of {@code a_i * x + b_i} (mod 2^64, a_i odd: multiply-shift hashing), and the
 * signature keeps, per permutation, the smallest value over the text's shingles. Two signatures agree at a position
 * with probability equal to the Jaccard similarity of the two shingle sets, so the share of equal positions estimates
 * it (standard error sqrt(J(1-J)/n)). Cost: one multiply-add and one compare per shingle and permutation.
 * Thread-safe.
 */
public final class MinHasher {

    private final long[] a;
    private final long[] b;

    public MinHasher(int numHashes, long seed) {
        if (numHashes < 1) {
            throw new IllegalArgumentException("need at least one hash function");
        }
        SplittableRandom random = new SplittableRandom(seed);
        a = new long[numHashes];
        b = new long[numHashes];
        for (int i = 0; i < numHashes; i++) {
            a[i] = random.nextLong() | 1L;
            b[i] = random.nextLong();
        }
    }

    public MinHasher(DedupSettings settings) {
        this(settings.numHashes(), DedupSettings.SEED);
    }

    /** Signature length. */
    public int numHashes() {
        return a.length;
    }

    /**
     * The signature of the first {@code count} shingle hashes, or {@code null} when there are none (an empty set
     * has no meaningful signature).
     */
    public int[] signature(long[] shingleHashes, int count) {
        if (count == 0) {
            return null;
        }
        // Permutation-major with the minimum in a register: about a quarter faster than shingle-major here.
        int[] signature = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            long ai = a[i];
            long bi = b[i];
            long min = Long.MAX_VALUE;
            for (int s = 0; s < count; s++) {
                min = Math.min(min, (ai * shingleHashes[s] + bi) >>> 32);
            }
            signature[i] = (int) min;
        }
        return signature;
    }

    /** The share of positions at which two signatures of the same scheme agree: the estimated Jaccard similarity. */
    public static double estimatedJaccard(int[] x, int[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("signatures of different lengths: " + x.length + ", " + y.length);
        }
        int equal = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == y[i]) {
                equal++;
            }
        }
        return (double) equal / x.length;
    }
}
