package io.mmedstream.eval.benchmark;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a gold answer written the ways MMedBench files and leaderboard CSVs write it: {@code "B"}, {@code "A,C"},
 * {@code "A, C"}, a list rendered as text ({@code ["A","C"]}, {@code ['A', 'C']}) or run together ({@code "AC"}).
 */
public final class AnswerKeys {

    private static final Pattern SEPARATORS = Pattern.compile("[\\s,;/\\[\\]'\"]+");
    private static final Pattern KEYS = Pattern.compile("[A-Z]+");

    private AnswerKeys() {
    }

    /**
     * The option keys of a gold answer, ordered.
     *
     * @throws IllegalArgumentException when the text holds no key or anything but upper-case letters and separators
     */
    public static SortedSet<String> parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no answer");
        }
        SortedSet<String> keys = new TreeSet<>();
        for (String part : SEPARATORS.split(text.strip())) {
            if (part.isEmpty()) {
                continue;
            }
            if (!KEYS.matcher(part).matches()) {
                throw new IllegalArgumentException("answer \"" + text + "\" is not a list of option letters");
            }
            part.chars().forEach(c -> keys.add(String.valueOf((char) c)));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("answer \"" + text + "\" holds no option letter");
        }
        return Collections.unmodifiableSortedSet(keys);
    }
}
