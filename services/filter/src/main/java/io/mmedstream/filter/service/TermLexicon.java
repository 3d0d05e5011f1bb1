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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;


/**
 * One language's weighted term list for the {@code lexical-v2} relevance method ({@link WeightedRelevance}), read
 * from {@code lexicons/<set>/<lang>.txt}. UTF-8, one term per line, optionally followed by {@code = weight}; lines
 * starting with {@code #} are comments, and comment lines {@code # @key: value} are directives. A term starting with
 * {@code -} is a suffix ({@code stem} lists only): it matches any single word whose stem ends with it after at least
 * three more letters, for the stems of international non-proprietary drug names ("-mycin", "-pril", "-sartan": a
 * drug the list does not name still counts). The directives:
 * <ul>
 * <li>{@code @lang}: the ISO 639-1 code, equal to the file name;</li>
 * <li>{@code @matching}: {@code stem} (terms and text go through the same Lucene analysis chain and match as
 * sequences of stems; for languages written with spaces) or {@code substring} (longest-match substrings; for
 * Chinese and Japanese);</li>
 * <li>{@code @analyzer}: for {@code stem}, the analysis chain, a name {@link StemAnalyzers} knows;</li>
 * <li>{@code @scripts}: the Unicode scripts the language is written in, comma-separated;</li>
 * <li>{@code @min-evidence}, {@code @min-density}: the default thresholds ({@link WeightedRelevance});</li>
 * <li>{@code @dense-min-evidence}, {@code @dense-min-density} (optional, together): the second, "dense" rule for
 * texts that name few medical things but little else ({@link WeightedRelevance});</li>
 * <li>{@code @evidence-length} (optional): texts shorter than this many units (tokens, or letters for substring
 * lists) need proportionally less evidence, down to the dense rule's evidence ({@link WeightedRelevance});</li>
 * <li>{@code @weight}: the weight of the terms that follow, until the next {@code @weight} (may repeat; starts
 * at 1).</li>
 * </ul>
 *
 * @param set         the lexicon set the list belongs to
 * @param lang        ISO 639-1 code
 * @param matching    how terms are found
 * @param analyzer    the analysis chain name ({@code stem} only, else null)
 * @param scripts     the scripts the language is written in
 * @param minEvidence default minimum evidence (sum of the weights of the distinct terms and patterns found)
 * @param minDensity  default minimum weighted density (weighted matched units per unit of text)
 * @param dense       the dense rule's default thresholds, or null when the list has none
 * @param evidenceLength texts shorter than this many units need proportionally less evidence (0: no scaling)
 * @param terms       the terms, NFC-normalised, in file order
 */
public record TermLexicon(String set, String lang, Matching matching, String analyzer, Set<UnicodeScript> scripts,
        double minEvidence, double minDensity, Thresholds dense, int evidenceLength, List<Term> terms) {

    /** What this format calls a {@code # @key: value} line in its messages. */
    private static final String NOUN = "directive";

    /**
     * A pair of thresholds: evidence and density.
     *
     * @param minEvidence minimum evidence
     * @param minDensity  minimum density
     */
    public record Thresholds(double minEvidence, double minDensity) {
        public Thresholds {
            if (minEvidence < 0 || !(minDensity >= 0.0 && minDensity <= 1.0)) {
                throw new IllegalArgumentException("thresholds out of range: " + minEvidence + "/" + minDensity);
            }
        }
    }

    /** How a term list is matched. */
    public enum Matching {
        /** Lucene analysis (tokenizer, lower case, stemmer) on both sides; multi-word terms as stem sequences. */
        STEM,
        /** Longest non-overlapping substrings, case-insensitive; Latin terms need Latin-free neighbours. */
        SUBSTRING
    }

    /**
     * One term.
     *
     * @param text   the term as written (base form), or a suffix starting with "-"
     * @param weight how much the term tells that a text is medical, &gt; 0 (1 = an ordinary clinical term)
     */
    public record Term(String text, double weight) {

        /** Whether this term is a word suffix ("-mycin"). */
        public boolean suffix() {
            return text.length() > 1 && text.charAt(0) == '-';
        }

        public Term {
            if (!(weight > 0.0 && weight <= 10.0)) {
                throw new IllegalArgumentException("weight must be within (0, 10], got " + weight);
            }
        }
    }

    public TermLexicon {
        scripts = Set.copyOf(scripts);
        terms = List.copyOf(terms);
        if (terms.isEmpty()) {
            throw invalid(set + "/" + lang + ": no terms");
        }
        if (scripts.isEmpty()) {
            throw invalid(set + "/" + lang + ": no scripts");
        }
        if (matching == Matching.SUBSTRING && terms.stream().anyMatch(Term::suffix)) {
            throw invalid(set + "/" + lang + ": suffix terms (-xyz) need @matching stem");
        }
        if (matching == Matching.STEM && (analyzer == null || analyzer.isBlank())) {
            throw invalid(set + "/" + lang + ": @matching stem needs an @analyzer");
        }
        if (minEvidence < 0 || !(minDensity >= 0.0 && minDensity <= 1.0) || evidenceLength < 0) {
            throw invalid(set + "/" + lang + ": thresholds out of range");
        }
    }

    /** Loads {@code lexicons/<set>/<lang>.txt} from the classpath. */
    public static TermLexicon load(String set, String lang) {
        String path = Lexicon.RESOURCE_ROOT + "/" + set + "/" + lang + ".txt";
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

    /** Parses a term list; {@code expectedLang} is the language the file must declare. */
    public static TermLexicon parse(String set, String expectedLang, Reader source) throws IOException {
        Map<String, String> header = new HashMap<>();
        List<Term> terms = new ArrayList<>();
        String where = set + "/" + expectedLang;
        LexiconHeader.read(source, where, NOUN, new LexiconHeader.Lines() {
            /** The weight of the terms that give none: the latest {@code @weight}. */
            private double weight = 1.0;

            @Override
            public void header(int lineNo, String key, String written) {
                int hash = written.indexOf('#');
                String value = hash >= 0 ? written.substring(0, hash).strip() : written;
                if (key.equals("weight")) {
                    weight = number(value, where, lineNo);
                } else if (header.put(key, value) != null) {
                    throw invalid(where + " line " + lineNo + ": @" + key + " given twice");
                }
            }

            @Override
            public void entry(int lineNo, String line) {
                String text = line;
                double termWeight = weight;
                int eq = line.lastIndexOf('=');
                if (eq >= 0) {
                    text = line.substring(0, eq).strip();
                    termWeight = number(line.substring(eq + 1).strip(), where, lineNo);
                }
                if (text.isEmpty()) {
                    throw invalid(where + " line " + lineNo + ": empty term");
                }
                try {
                    terms.add(new Term(Normalizer.normalize(text, Normalizer.Form.NFC), termWeight));
                } catch (IllegalArgumentException e) {
                    throw invalid(where + " line " + lineNo + ": " + e.getMessage());
                }
            }
        });
        Set<String> known = Set.of("lang", "matching", "analyzer", "scripts", "min-evidence", "min-density",
                "dense-min-evidence", "dense-min-density", "evidence-length");
        for (String key : header.keySet()) {
            if (!known.contains(key)) {
                throw invalid(where + ": unknown directive @" + key + " (known: " + known + ", weight)");
            }
        }
        String lang = LexiconHeader.language(header, expectedLang, where, NOUN);
        Matching matching;
        try {
            matching = Matching.valueOf(required(header, "matching", where).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(where + ": @matching must be stem or substring");
        }
        Set<UnicodeScript> scripts = LexiconHeader.scripts(header, where, NOUN);
        Thresholds dense = null;
        if (header.containsKey("dense-min-evidence") || header.containsKey("dense-min-density")) {
            try {
                dense = new Thresholds(number(required(header, "dense-min-evidence", where), where, 0),
                        number(required(header, "dense-min-density", where), where, 0));
            } catch (IllegalArgumentException e) {
                throw invalid(where + ": " + e.getMessage());
            }
        }
        return new TermLexicon(set, lang, matching, header.get("analyzer"), scripts,
                number(required(header, "min-evidence", where), where, 0),
                number(required(header, "min-density", where), where, 0), dense,
                header.containsKey("evidence-length") ? (int) number(header.get("evidence-length"), where, 0) : 0,
                terms);
    }

    private static double number(String value, String where, int lineNo) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw invalid(where + (lineNo > 0 ? " line " + lineNo : "") + ": not a number: '" + value + "'");
        }
    }

    private static String required(Map<String, String> header, String key, String where) {
        return LexiconHeader.required(header, key, where, NOUN);
    }

    static FilterException invalid(String message) {
        return LexiconHeader.invalid(message);
    }
}
