package io.mmedstream.modelserver.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: the most likely one when decoding is greedy, otherwise a draw from
 * {@code softmax(logits / temperature)} restricted to the top-k tokens and to the nucleus (the smallest set of most
 * likely tokens whose probabilities reach top_p). One sampler per request; with a seed its draws are reproducible.
 */
public final class Sampler {

    private final DecodingParams params;
    private final SplittableRandom random;

    public Sampler(DecodingParams params) {
        this.params = params;
        this.random = params.seed() != null ? new SplittableRandom(params.seed()) : new SplittableRandom();
    }

    /** The next token id. */
    public int next(float[] logits) {
        if (params.isGreedy()) {
            return argmax(logits);
        }
        int vocab = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] probs = new double[vocab];
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            double p = Math.exp((logits[i] - max) / params.temperature());
            probs[i] = p;
            total += p;
        }
        boolean topK = params.topK() > 0 && params.topK() < vocab;
        boolean topP = params.topP() < 1.0;
        if (!topK && !topP) {
            return draw(probs, total, null, vocab);
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        // Most likely first; equal probabilities by id, so a seeded request is reproducible.
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int keep = topK ? params.topK() : vocab;
        if (topP) {
            double threshold = params.topP() * total;
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += probs[order[i]];
                if (cumulative >= threshold) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += probs[order[i]];
        }
        return draw(probs, kept, order, keep);
    }

    private int draw(double[] probs, double total, Integer[] order, int count) {
        double u = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            int id = order == null ? i : order[i];
            cumulative += probs[id];
            if (u < cumulative) {
                return id;
            }
        }
        return order == null ? count - 1 : order[count - 1]; // rounding left u at the very end
    }

    /** Index of the largest logit (the lowest index among equals). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
