package io.mmedstream.filter.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.Character.UnicodeScript;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;


/**
 * One language's medical keyword list with the rules to apply it, read from a versioned resource
 * {@code lexicons/<set>/<lang>.txt}. The file is UTF-8, one keyword per line; lines starting with {@code #} are
 * comments, and comment lines of the form {@code # @key: value} are the header:
 * <ul>
 * <li>{@code @lang}: the ISO 639-1 code, equal to the file name;</li>
 * <li>{@code @matching}: {@code word} or {@code substring} ({@link MatchingMode});</li>
 * <li>{@code @scripts}: the Unicode scripts the language is written in, comma-separated (e.g. {@code LATIN});</li>
 * <li>{@code @min-keywords}, {@code @min-density}: the default {@link RelevanceThresholds}.</li>
 * </ul>
 * The set's version lives in {@code lexicons/<set>/set.properties}.
 *
 * @param set        the lexicon set (relevance mode) the list belongs to, e.g. {@code mmedc}
 * @param lang       ISO 639-1 code
 * @param matching   how the keywords are matched
 * @param scripts    the scripts the language is written in
 * @param thresholds the default thresholds for this language
 * @param keywords   the keywords, NFC-normalised, in file order, distinct after case folding
 */
public record Lexicon(String set, String lang, MatchingMode matching, Set<UnicodeScript> scripts,
        RelevanceThresholds thresholds, List<String> keywords) {

    /** What this format calls a {@code # @key: value} line in its messages. */
    private static final String NOUN = "header";

    /** Classpath folder holding one folder per lexicon set. */
    public static final String RESOURCE_ROOT = "lexicons";

    public Lexicon {
        scripts = Set.copyOf(scripts);
        keywords = List.copyOf(keywords);
        if (keywords.isEmpty()) {
            throw invalid(set + "/" + lang + ": no keywords");
        }
        if (scripts.isEmpty()) {
            throw invalid(set + "/" + lang + ": no scripts");
        }
        Set<String> seen = new HashSet<>();
        for (String keyword : keywords) {
            if (keyword.isBlank()) {
                throw invalid(set + "/" + lang + ": blank keyword");
            }
            if (!seen.add(TextFolding.fold(keyword))) {
                throw invalid(set + "/" + lang + ": keyword listed twice: " + keyword);
            }
        }
    }

    /** Loads {@code lexicons/<set>/<lang>.txt} from the classpath. */
    public static Lexicon load(String set, String lang) {
        String path = RESOURCE_ROOT + "/" + set + "/" + lang + ".txt";
        try (InputStream in = Resources.open(path)) {
            if (in == null) {
                throw invalid("no lexicon for language '" + lang + "' in set '" + set + "' (missing resource "
                        + path + ")");
            }
            return parse(set, lang, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** The version of a lexicon set, from {@code lexicons/<set>/set.properties}. */
    public static String setVersion(String set) {
        String path = RESOURCE_ROOT + "/" + set + "/set.properties";
        try (InputStream in = Resources.open(path)) {
            if (in == null) {
                throw invalid("unknown lexicon set '" + set + "' (missing resource " + path + ")");
            }
            Properties props = new Properties();
            props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            String version = props.getProperty("version", "").trim();
            if (version.isEmpty()) {
                throw invalid(path + " has no version");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * Parses a lexicon file.
     *
     * @param set          the set it belongs to
     * @param expectedLang the language the file must declare
     */
    public static Lexicon parse(String set, String expectedLang, Reader source) throws IOException {
        Map<String, String> header = new HashMap<>();
        List<String> keywords = new ArrayList<>();
        String where = set + "/" + expectedLang;
        LexiconHeader.read(source, where, NOUN, new LexiconHeader.Lines() {
            @Override
            public void header(int lineNo, String key, String value) {
                if (header.put(key, value) != null) {
                    throw invalid(where + " line " + lineNo + ": header @" + key + " given twice");
                }
            }

            @Override
            public void entry(int lineNo, String line) {
                keywords.add(Normalizer.normalize(line, Normalizer.Form.NFC));
            }
        });
        Set<String> known = Set.of("lang", "matching", "scripts", "min-keywords", "min-density");
        for (String key : header.keySet()) {
            if (!known.contains(key)) {
                throw invalid(where + ": unknown header @" + key + " (known: " + known + ")");
            }
        }
        String lang = LexiconHeader.language(header, expectedLang, where, NOUN);
        MatchingMode matching;
        try {
            matching = MatchingMode.valueOf(required(header, "matching", where).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(where + ": @matching must be word or substring");
        }
        Set<UnicodeScript> scripts = LexiconHeader.scripts(header, where, NOUN);
        RelevanceThresholds thresholds;
        try {
            thresholds = new RelevanceThresholds(Integer.parseInt(required(header, "min-keywords", where)),
                    Double.parseDouble(required(header, "min-density", where)));
        } catch (IllegalArgumentException e) {
            throw invalid(where + ": bad threshold: " + e.getMessage());
        }
        return new Lexicon(set, lang, matching, scripts, thresholds, keywords);
    }

    private static String required(Map<String, String> header, String key, String where) {
        return LexiconHeader.required(header, key, where, NOUN);
    }

    private static FilterException invalid(String message) {
        return LexiconHeader.invalid(message);
    }
}
