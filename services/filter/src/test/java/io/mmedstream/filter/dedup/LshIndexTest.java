package io.mmedstream.filter.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LshIndexTest {

    private static final DedupSettings SETTINGS = DedupSettings.defaults();
    private final MinHasher hasher = new MinHasher(SETTINGS);

    /** Signatures of two random shingle sets with Jaccard similarity exactly j (union of 300). */
    private int[][] pair(SplittableRandom random, double j) {
        int union = 300;
        int common = (int) Math.round(j * union);
        int onlyA = (union - common) / 2;
        long[] a = new long[common + onlyA];
        long[] b = new long[union - onlyA];
        for (int i = 0; i < common; i++) {
            a[i] = b[i] = random.nextLong();
        }
        for (int i = common; i < a.length; i++) {
            a[i] = random.nextLong();
        }
        for (int i = common; i < b.length; i++) {
            b[i] = random.nextLong();
        }
        return new int[][] {hasher.signature(a, a.length), hasher.signature(b, b.length)};
    }

    @Test
    void candidateProbabilityFollowsTheBandingCurve() {
        SplittableRandom random = new SplittableRandom(11);
        for (double j : new double[] {0.3, 0.5, 0.65, 0.8, 0.9}) {
            int trials = 600;
            int candidates = 0;
            for (int t = 0; t < trials; t++) {
                int[][] p = pair(random, j);
                LshIndex index = new LshIndex(SETTINGS);
                index.add("a", p[0], true);
                // The smallest threshold reports any candidate: LSH alone, no verification.
                if (index.bestMatch(p[1], Double.MIN_VALUE) != null) {
                    candidates++;
                }
            }
            double expected = 1 - Math.pow(1 - Math.pow(j, 8), 14);
            // Binomial standard error with 600 trials is at most 0.02; allow 4 of them.
            assertThat((double) candidates / trials).as("J=%s (expected %.3f)", j, expected)
                    .isCloseTo(expected, within(0.08));
        }
    }

    @Test
    void candidatesBelowTheThresholdAreNotMatches() {
        SplittableRandom random = new SplittableRandom(5);
        int bandCollisions = 0;
        int matches = 0;
        for (int t = 0; t < 400; t++) {
            int[][] p = pair(random, 0.55);
            LshIndex index = new LshIndex(SETTINGS);
            index.add("a", p[0], true);
            if (index.bestMatch(p[1], Double.MIN_VALUE) != null) {
                bandCollisions++;
            }
            if (index.bestMatch(p[1], 0.7) != null) {
                matches++;
            }
        }
        assertThat(bandCollisions).isGreaterThan(20);
        assertThat(matches).isLessThanOrEqualTo(2);
    }

    @Test
    void bestMatchIsTheMostSimilarIndexedDocumentWithItsEstimatedJaccard() {
        SplittableRandom random = new SplittableRandom(3);
        long[] base = new long[200];
        for (int i = 0; i < base.length; i++) {
            base[i] = random.nextLong();
        }
        long[] near = base.clone();
        long[] nearer = base.clone();
        for (int i = 0; i < 30; i++) {
            near[i] = random.nextLong();
        }
        for (int i = 0; i < 8; i++) {
            nearer[i] = random.nextLong();
        }
        LshIndex index = new LshIndex(SETTINGS);
        index.add("near", hasher.signature(near, near.length), false);
        index.add("nearer", hasher.signature(nearer, nearer.length), true);
        int[] query = hasher.signature(base, base.length);

        LshIndex.Match match = index.bestMatch(query, 0.7);

        assertThat(match.docId()).isEqualTo("nearer");
        assertThat(match.local()).isTrue();
        assertThat(match.jaccard()).isEqualTo(
                MinHasher.estimatedJaccard(query, hasher.signature(nearer, nearer.length)));
    }

    @Test
    void addingTheSameDocumentTwiceIndexesItOnce() {
        int[][] p = pair(new SplittableRandom(9), 0.9);
        LshIndex index = new LshIndex(SETTINGS);

        assertThat(index.add("d1", p[0], true)).isTrue();
        assertThat(index.add("d1", p[0], false)).isFalse();
        assertThat(index.add("d2", p[1], false)).isTrue();
        assertThat(index.size()).isEqualTo(2);
    }

    @Test
    void indexGrowsPastItsInitialCapacity() {
        SplittableRandom random = new SplittableRandom(13);
        LshIndex index = new LshIndex(SETTINGS);
        int[][] signatures = new int[3000][];
        for (int d = 0; d < signatures.length; d++) {
            long[] shingles = new long[50];
            for (int i = 0; i < shingles.length; i++) {
                shingles[i] = random.nextLong();
            }
            signatures[d] = hasher.signature(shingles, shingles.length);
            index.add("d" + d, signatures[d], false);
        }

        assertThat(index.size()).isEqualTo(3000);
        for (int d = 0; d < signatures.length; d += 97) {
            assertThat(index.bestMatch(signatures[d], 0.99).docId()).isEqualTo("d" + d);
        }
    }
}
