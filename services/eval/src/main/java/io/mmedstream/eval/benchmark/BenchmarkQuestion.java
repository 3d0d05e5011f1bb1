package io.mmedstream.eval.benchmark;

import java.util.Collections;
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One MMedBench multiple-choice question (REFERENCE §2), as read from a {@code <Language>.jsonl} line.
 *
 * @param language         the file's language
 * @param index            0-based position of the record in its file (blank lines not counted)
 * @param question         the question text, verbatim
 * @param options          option key ({@code "A"}..{@code "E"}) to option text, verbatim; kept ordered by key
 * @param answer           the correct option keys, kept ordered; several for multi-answer questions
 * @param rationale        the reference rationale (GPT-4 written), possibly empty
 * @param humanChecked     whether a person checked the rationale
 * @param humanCheckPassed whether the rationale passed that check: rationale metrics use only these items
 */
public record BenchmarkQuestion(
        Language language,
        int index,
        String question,
        Map<String, String> options,
        Set<String> answer,
        String rationale,
        boolean humanChecked,
        boolean humanCheckPassed) {

    public BenchmarkQuestion {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(question, "question");
        options = Collections.unmodifiableSortedMap(new TreeMap<>(options));
        answer = Collections.unmodifiableSortedSet(new TreeSet<>(answer));
        rationale = rationale == null ? "" : rationale;
        if (options.isEmpty()) {
            throw new IllegalArgumentException("a question needs options");
        }
        if (answer.isEmpty() || !options.keySet().containsAll(answer)) {
            throw new IllegalArgumentException("answer " + answer + " is not a non-empty subset of the options "
                    + options.keySet());
        }
    }

    /** The answer as the benchmark writes it: keys joined by commas without spaces ({@code "B"}, {@code "A,C"}). */
    public String answerIdx() {
        return String.join(",", answer);
    }
}
