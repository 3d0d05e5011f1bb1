package io.mmedstream.eval.benchmark;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The six MMedBench languages, in the order of the paper's tables (REFERENCE §2). {@link #displayName()} is the
 * name used in file names ({@code English.jsonl}), in the prompt's {@code {lang}} and in the leaderboard CSV's
 * {@code Language} column.
 */
public enum Language {
    ENGLISH("English", "en"),
    CHINESE("Chinese", "zh"),
    JAPANESE("Japanese", "ja"),
    FRENCH("French", "fr"),
    RUSSIAN("Russian", "ru"),
    SPANISH("Spanish", "es");

    private final String displayName;
    private final String code;

    Language(String displayName, String code) {
        this.displayName = displayName;
        this.code = code;
    }

    /** The benchmark's name for the language: {@code English}, {@code Chinese}, ... */
    public String displayName() {
        return displayName;
    }

    /** ISO 639-1 code: {@code en}, {@code zh}, {@code ja}, {@code fr}, {@code ru}, {@code es}. */
    public String code() {
        return code;
    }

    /** The benchmark file of this language in a test or train directory: {@code <Language>.jsonl}. */
    public String fileName() {
        return displayName + ".jsonl";
    }

    /**
     * The language named by its benchmark name or ISO code, ignoring case and surrounding blanks
     * ({@code "English"}, {@code "english"}, {@code "en"}).
     */
    public static Optional<Language> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(l -> l.displayName.toLowerCase(Locale.ROOT).equals(wanted) || l.code.equals(wanted))
                .findFirst();
    }
}
