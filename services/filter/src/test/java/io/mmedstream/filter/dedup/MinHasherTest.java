package io.mmedstream.filter.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class MinHasherTest {

    private final MinHasher hasher = new MinHasher(DedupSettings.defaults());

    /** Two sets of random 64-bit shingle hashes with exactly {@code common} shared of {@code union} in total. */
    private static long[][] pair(SplittableRandom random, int union, int common) {
        int onlyA = (union - common) / 2;
        int onlyB = union - common - onlyA;
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (int i = 0; i < common; i++) {
            long x = random.nextLong();
            a.add(x);
            b.add(x);
        }
        for (int i = 0; i < onlyA; i++) {
            a.add(random.nextLong());
        }
        for (int i = 0; i < onlyB; i++) {
            b.add(random.nextLong());
        }
        return new long[][] {a.stream().mapToLong(Long::longValue).toArray(),
                b.stream().mapToLong(Long::longValue).toArray()};
    }

    @Test
    void identicalShingleSetsHaveIdenticalSignaturesWhateverTheOrderAndRepeats() {
        long[] shingles = pair(new SplittableRandom(1), 300, 300)[0];
        List<Long> shuffled = new ArrayList<>();
        for (long s : shingles) {
            shuffled.add(s);
            shuffled.add(s);
        }
        Collections.shuffle(shuffled, new java.util.Random(2));
        long[] reordered = shuffled.stream().mapToLong(Long::longValue).toArray();

        int[] x = hasher.signature(shingles, shingles.length);
        int[] y = hasher.signature(reordered, reordered.length);

        assertThat(x).hasSize(112).containsExactly(y);
        assertThat(MinHasher.estimatedJaccard(x, y)).isEqualTo(1.0);
    }

    @Test
    void identicalTextsHaveIdenticalSignatures() {
        Deduplicator dedup = Deduplicator.inMemory(DedupSettings.defaults());
        String text = "Computed tomography of the thorax showed bilateral pneumonia and the creatinine was raised.";

        assertThat(dedup.signature(text, "en")).containsExactly(dedup.signature(new String(text), "en"));
    }

    @Test
    void estimatedJaccardIsCloseToTheTrueJaccard() {
        SplittableRandom random = new SplittableRandom(7);
        double[] targets = {0.0, 0.2, 0.5, 0.7, 0.8, 0.9, 0.95};
        for (double j : targets) {
            double sumError = 0;
            int trials = 60;
            for (int t = 0; t < trials; t++) {
                int union = 400;
                long[][] p = pair(random, union, (int) Math.round(j * union));
                double estimate = MinHasher.estimatedJaccard(hasher.signature(p[0], p[0].length),
                        hasher.signature(p[1], p[1].length));
                // 112 values: standard error sqrt(J(1-J)/112) <= 0.047; 5 of them bound every single estimate.
                assertThat(estimate).as("J=%s", j).isCloseTo(j, within(0.24));
                sumError += estimate - j;
            }
            // Unbiased: the mean of 60 estimates is within about 4 standard errors of the mean (<= 0.025).
            assertThat(sumError / trials).as("mean error at J=%s", j).isCloseTo(0.0, within(0.025));
        }
    }

    @Test
    void emptyShingleSetHasNoSignature() {
        assertThat(hasher.signature(new long[0], 0)).isNull();
    }
}
