package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * The {@code # @key: value} header both lexicon formats share ({@link Lexicon} for the paper's mode,
 * {@link TermLexicon} for the default one): the checks and values that mean the same in both. {@code noun} is what
 * the format calls a header line in its messages ("header" or "directive").
 */
final class LexiconHeader {

    private LexiconHeader() {
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
