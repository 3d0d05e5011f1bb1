package io.mmedstream.eval.metrics;

/**
 * Multiple-choice results of one language.
 *
 * @param n           questions scored
 * @param correct     questions whose parsed option set equals the gold set exactly
 * @param unparseable questions whose output gave no valid answer (counted as wrong, and here)
 */
public record LanguageAccuracy(int n, int correct, int unparseable) {

    public LanguageAccuracy {
        if (n < 0 || correct < 0 || unparseable < 0 || correct + unparseable > n) {
            throw new IllegalArgumentException("inconsistent counts n=" + n + " correct=" + correct
                    + " unparseable=" + unparseable);
        }
    }

    /** Accuracy in percent, 100 &middot; correct / n; 0 when nothing was scored. */
    public double accuracy() {
        return n == 0 ? 0.0 : 100.0 * correct / n;
    }
}
