package io.mmedstream.eval.parse;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** What {@link AnswerParser} read from a model output: the chosen option keys, or why none could be read. */
public sealed interface ParsedAnswer permits ParsedAnswer.Chosen, ParsedAnswer.Unparseable {

    /** Whether this answer names exactly the gold option set: an unparseable answer is never correct. */
    boolean matches(Set<String> gold);

    /**
     * The option keys the output chose, and the rule that read them.
     *
     * @param keys the chosen keys, ordered, never empty, all among the question's options
     * @param rule which accepted form the output had
     */
    record Chosen(SortedSet<String> keys, Rule rule) implements ParsedAnswer {
        public Chosen {
            keys = Collections.unmodifiableSortedSet(new TreeSet<>(keys));
            Objects.requireNonNull(rule, "rule");
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("a chosen answer has at least one key");
            }
        }

        @Override
        public boolean matches(Set<String> gold) {
            return keys.equals(new TreeSet<>(gold));
        }
    }

    /**
     * No answer could be read: counted as wrong, and counted separately.
     *
     * @param reason what was missing or invalid, for reports
     */
    record Unparseable(String reason) implements ParsedAnswer {
        @Override
        public boolean matches(Set<String> gold) {
            return false;
        }
    }

    /** The accepted forms, strongest first; the parser tries them in this order. */
    enum Rule {
        /** The target phrase {@code ###Answer: OPTION B IS CORRECT.}, or letters or text after {@code ###Answer:}. */
        TARGET_PHRASE,
        /** {@code Option B is correct}, {@code options A and C are correct} without the {@code ###Answer:} tag. */
        OPTION_IS_CORRECT,
        /** An answer marker in one of the six languages: {@code Answer: B}, {@code 答案：B}, {@code Réponse : A, C}. */
        ANSWER_MARKER,
        /** {@code B is correct} (upper-case letters only). */
        LETTER_IS_CORRECT,
        /** The output is just the letters: {@code B}, {@code (B)}, {@code A, C}, {@code AC}, {@code B. text}. */
        BARE_LETTERS,
        /** The output (or its first line, or the text after a marker) is exactly one option's text. */
        OPTION_TEXT,
        /** A yes/no question (options да/нет) answered by starting with да or нет. */
        YES_NO
    }
}
