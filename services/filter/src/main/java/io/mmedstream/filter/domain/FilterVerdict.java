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
 * @param text     the text to publish: for an accepted document the text with personal data masked
 *                 ({@code <EMAIL>}, {@code <PHONE>}, {@code <IP>}, {@code <ID>}; the {@code pii_*} scores count
 *                 them), for a dropped one the text as submitted; {@code null} only in verdicts built with the
 *                 four-argument constructor, which carry no text (then publish the submitted text)
 */
public record FilterVerdict(boolean accepted, String lang, List<String> reasons, Map<String, Double> scores,
        String text) {

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

    /** A verdict without text (filter versions before PII masking); {@link #text()} is then null. */
    public FilterVerdict(boolean accepted, String lang, List<String> reasons, Map<String, Double> scores) {
        this(accepted, lang, reasons, scores, null);
    }

    /** A document kept for training, without text. */
    public static FilterVerdict accept(String lang, Map<String, Double> scores) {
        return new FilterVerdict(true, lang, List.of(), scores, null);
    }

    /** A document kept for training, publishing {@code text} (the masked text). */
    public static FilterVerdict accept(String lang, Map<String, Double> scores, String text) {
        return new FilterVerdict(true, lang, List.of(), scores, text);
    }

    /** A document not kept, for one reason, without text. */
    public static FilterVerdict drop(DropReason reason, String lang, Map<String, Double> scores) {
        return new FilterVerdict(false, lang, List.of(reason.code()), scores, null);
    }

    /** A document not kept, for one reason, with its text. */
    public static FilterVerdict drop(DropReason reason, String lang, Map<String, Double> scores, String text) {
        return new FilterVerdict(false, lang, List.of(reason.code()), scores, text);
    }

    /** A document not kept, for the given reasons (the deciding one first), with its text. */
    public static FilterVerdict drop(List<String> reasons, String lang, Map<String, Double> scores, String text) {
        return new FilterVerdict(false, lang, reasons, scores, text);
    }

    /** The deciding reason code, or {@code null} when accepted. */
    public String primaryReason() {
        return reasons.isEmpty() ? null : reasons.get(0);
    }

    /** The text to publish: {@link #text()}, or {@code submitted} when this verdict carries none. */
    public String textOr(String submitted) {
        return text != null ? text : submitted;
    }

    /** Short form without the text, for logs. */
    @Override
    public String toString() {
        return "FilterVerdict[accepted=" + accepted + ", lang=" + lang + ", reasons=" + reasons + ", scores=" + scores
                + (text == null ? "" : ", text=" + text.length() + " chars") + "]";
    }
}
