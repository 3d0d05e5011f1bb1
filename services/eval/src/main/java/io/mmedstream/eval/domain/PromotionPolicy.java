package io.mmedstream.eval.domain;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.report.CheckpointAccuracy;

/**
 * Decides whether an evaluated checkpoint replaces the serving one. The first evaluated checkpoint is promoted (there
 * is nothing to compare with). A later one is promoted when its mean accuracy beats the serving one's by at least
 * {@code margin} percentage points AND no language the serving checkpoint was measured on falls by more than
 * {@code tolerance} points (a language the candidate was not measured on counts as a fall: it cannot be compared).
 * Plain Java, no state.
 *
 * @param margin    required gain of the mean accuracy, in percentage points (>= 0)
 * @param tolerance largest allowed drop of any one language, in percentage points (>= 0)
 */
public record PromotionPolicy(double margin, double tolerance) {

    public PromotionPolicy {
        if (!(margin >= 0) || !(tolerance >= 0)) {
            throw new IllegalArgumentException("margin and tolerance must be >= 0, got " + margin + ", " + tolerance);
        }
    }

    /** The decision for {@code candidate} given the serving checkpoint, if any. */
    public PromotionDecision decide(CheckpointAccuracy candidate, Optional<ServingModel> serving) {
        if (serving.isEmpty()) {
            return new PromotionDecision(true, String.format(Locale.ROOT,
                    "first evaluated checkpoint (mean accuracy %.2f): nothing serves yet", candidate.meanAccuracy()));
        }
        CheckpointAccuracy current = serving.get().accuracy();
        if (serving.get().checkpointId().equals(candidate.checkpoint())) {
            return new PromotionDecision(false, "already serving " + candidate.checkpoint());
        }
        double gain = candidate.meanAccuracy() - current.meanAccuracy();
        Language worst = null;
        double worstDrop = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Language, Double> e : current.accuracy().entrySet()) {
            Double now = candidate.accuracy().get(e.getKey());
            if (now == null) {
                return new PromotionDecision(false, String.format(Locale.ROOT,
                        "%s was not evaluated on %s, which the serving %s was: cannot compare",
                        candidate.checkpoint(), e.getKey().displayName(), current.checkpoint()));
            }
            double drop = e.getValue() - now;
            if (drop > worstDrop) {
                worstDrop = drop;
                worst = e.getKey();
            }
        }
        String dropText = worst == null ? "no common language"
                : String.format(Locale.ROOT, "largest language drop %.2f (%s)", worstDrop, worst.displayName());
        String figures = String.format(Locale.ROOT, "mean accuracy %.2f vs serving %s %.2f (gain %.2f, margin %.2f); "
                        + "%s, tolerance %.2f", candidate.meanAccuracy(), current.checkpoint(),
                current.meanAccuracy(), gain, margin, dropText, tolerance);
        if (gain < margin) {
            return new PromotionDecision(false, "gain below margin: " + figures);
        }
        if (worst != null && worstDrop > tolerance) {
            return new PromotionDecision(false, worst.displayName() + " falls more than the tolerance: " + figures);
        }
        return new PromotionDecision(true, "beats the serving checkpoint: " + figures);
    }
}
