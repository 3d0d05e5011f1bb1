package io.mmedstream.filter.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.lang.Character.UnicodeScript;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * The {@code # @key: value} header both lexicon formats share ({@link Lexicon} for the paper's mode,
 * {@link TermLexicon} for the default one): how their lines read, and the checks and values that mean the same in
 * both. {@code noun} is what the format calls a header line in its messages ("header" or "directive").
 */
final class LexiconHeader {

    private LexiconHeader() {
    }

    /** Receives the meaningful lines of a lexicon file, in order. */
    interface Lines {
        /** A header line {@code # @key: value}: the key lower-cased, the value stripped. */
        void header(int lineNo, String key, String value);

        /** Any other line that is not blank and not a comment, stripped. */
        void entry(int lineNo, String line);
    }

    /**
     * Reads a lexicon file: a byte-order mark at the start is skipped, blank lines and {@code #} comments are passed
     * over, {@code # @key: value} lines go to {@link Lines#header} and the rest to {@link Lines#entry}.
     */
    static void read(Reader source, String where, String noun, Lines lines) throws IOException {
        BufferedReader reader = new BufferedReader(source);
        String line;
        int lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            String trimmed = line.strip();
            if (lineNo == 1 && trimmed.startsWith("\uFEFF")) {
                trimmed = trimmed.substring(1);
            }
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!trimmed.startsWith("#")) {
                lines.entry(lineNo, trimmed);
                continue;
            }
            String comment = trimmed.substring(1).strip();
            if (comment.startsWith("@")) {
                int colon = comment.indexOf(':');
                if (colon < 0) {
                    throw invalid(where + " line " + lineNo + ": " + noun + " without ':'");
                }
                lines.header(lineNo, comment.substring(1, colon).strip().toLowerCase(Locale.ROOT),
                        comment.substring(colon + 1).strip());
            }
        }
    }

    static FilterException invalid(String message) {
        return new FilterException(Reason.INVALID_CONFIGURATION, "invalid lexicon: " + message);
    }

    static String required(Map<String, String> header, String key, String where, String noun) {
        String value = header.get(key);
        if (value == null || value.isEmpty()) {
            throw invalid(where + ": " + noun + " @" + key + " is missing");
        }
        return value;
    }

    /** The declared {@code @lang}, which must be the language the file is named for. */
    static String language(Map<String, String> header, String expectedLang, String where, String noun) {
        String lang = required(header, "lang", where, noun);
        if (!lang.equals(expectedLang)) {
            throw invalid(where + ": declares @lang " + lang);
        }
        return lang;
    }

    /** The {@code @scripts} list: Unicode script names, comma-separated. */
    static Set<UnicodeScript> scripts(Map<String, String> header, String where, String noun) {
        Set<UnicodeScript> scripts = EnumSet.noneOf(UnicodeScript.class);
        for (String name : required(header, "scripts", where, noun).split(",")) {
            try {
                scripts.add(UnicodeScript.forName(name.strip()));
            } catch (IllegalArgumentException e) {
                throw invalid(where + ": unknown Unicode script '" + name.strip() + "'");
            }
        }
        return scripts;
    }
}
