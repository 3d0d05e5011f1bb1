package io.mmedstream.filter.domain;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The filter's decision on one document.
 *
 * @param accepted whether the document is kept for training
 * @param lang     the detected language (lower-case ISO 639-1 code of a configured language), {@link #OTHER_LANGUAGE}
 *                 when the text is in a language the filter does not handle, or {@code null} when detection was not
 *                 attempted (the text was too short to tell)
 * @param reasons  reason codes ({@link DropReason#code()}), the deciding one first; empty when accepted, never empty
 *                 when dropped
 * @param scores   the figures behind the decision, named by {@link ScoreNames}
 */
public record FilterVerdict(boolean accepted, String lang, List<String> reasons, Map<String, Double> scores) {

    /** The language of a document written in none of the configured languages. */
    public static final String OTHER_LANGUAGE = "other";

    public FilterVerdict {
        reasons = List.copyOf(reasons);
        scores = Map.copyOf(scores);
        if (accepted) {
            Objects.requireNonNull(lang, "an accepted document has a language");
            if (!reasons.isEmpty()) {
                throw new IllegalArgumentException("an accepted document has no drop reasons: " + reasons);
            }
        } else if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a dropped document needs at least one reason");
        }
    }

    /** A document kept for training. */
    public static FilterVerdict accept(String lang, Map<String, Double> scores) {
        return new FilterVerdict(true, lang, List.of(), scores);
    }

    /** A document not kept, for one reason. */
    public static FilterVerdict drop(DropReason reason, String lang, Map<String, Double> scores) {
        return new FilterVerdict(false, lang, List.of(reason.code()), scores);
    }

    /** The deciding reason code, or {@code null} when accepted. */
    public String primaryReason() {
        return reasons.isEmpty() ? null : reasons.get(0);
    }
}
