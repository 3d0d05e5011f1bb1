package io.mmedstream.filter.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * The language identifier's cheap first check: a text whose words are, to a large share, function words that only
 * one of the candidate languages has ("the", "which", "were"; "dans", "avec", "été") is in that language, without
 * asking Lingua. The lists ({@value #RESOURCE}) hold each language's frequent function words, shared ones included;
 * a word counts only for the one candidate listing it, so "de", "la", "in" or "a" count for nobody.
 *
 * <p>A language is decided when the sample holds at least {@value #MIN_WORDS} words, its exclusive function words
 * are at least {@value #MIN_HITS} and at least {@value #MIN_SHARE} of the words, and at least {@value #MIN_RATIO}
 * times those of any other candidate (code-mixed text is left to Lingua). On the dev file and the bench corpus this
 * decides about 90 % of the English and French documents, every one as Lingua does; Spanish and Russian share most
 * of their function words with Portuguese, Catalan, Italian and Ukrainian, Bulgarian, so Lingua decides those.
 * Thread-safe (immutable).
 */
final class FunctionWords {

    static final String RESOURCE = "language/function-words.txt";
    static final int MIN_WORDS = 20;
    static final int MIN_HITS = 8;
    static final double MIN_SHARE = 0.12;
    static final int MIN_RATIO = 4;

    /**
     * A decision.
     *
     * @param lang   the language (ISO 639-1)
     * @param share  its exclusive function words over the sample's words
     * @param margin 1 − the runner-up's exclusive function words / the winner's
     */
    record Decision(String lang, double share, double margin) {
    }

    private final List<String> languages; // candidates, index = id
    private final Map<String, Integer> owner; // exclusive word -> language id

    private FunctionWords(List<String> languages, Map<String, Integer> owner) {
        this.languages = languages;
        this.owner = owner;
    }

    /**
     * The check for these candidate languages (ISO 639-1), or null when one of them has no list: exclusive words
     * could then not be told.
     */
    static FunctionWords forCandidates(Collection<String> candidates) {
        Map<String, Set<String>> lists = load();
        List<String> langs = List.copyOf(new LinkedHashSet<>(candidates));
        Map<String, Integer> listedBy = new HashMap<>();
        for (String lang : langs) {
            Set<String> words = lists.get(lang);
            if (words == null) {
                return null;
            }
            words.forEach(w -> listedBy.merge(w, 1, Integer::sum));
        }
        Map<String, Integer> owner = new HashMap<>();
        for (int id = 0; id < langs.size(); id++) {
            for (String w : lists.get(langs.get(id))) {
                if (listedBy.get(w) == 1) {
                    owner.put(w, id);
                }
            }
        }
        return new FunctionWords(langs, owner);
    }

    /** The lists of the resource, by language. */
    static Map<String, Set<String>> load() {
        Map<String, Set<String>> lists = new LinkedHashMap<>();
        try (InputStream in = Resources.open(RESOURCE)) {
            if (in == null) {
                throw new FilterException(Reason.INVALID_CONFIGURATION, "missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                int colon = trimmed.indexOf(':');
                String lang = colon < 0 ? "" : trimmed.substring(0, colon).strip();
                if (!lang.matches("[a-z]{2}") || lists.containsKey(lang)) {
                    throw new FilterException(Reason.INVALID_CONFIGURATION, RESOURCE + " line " + lineNo
                            + ": expected '<ISO 639-1 code>: word word ...', each language once");
                }
                Set<String> words = new LinkedHashSet<>();
                for (String w : trimmed.substring(colon + 1).strip().split("\\s+")) {
                    if (!w.isEmpty()) {
                        words.add(w.toLowerCase(Locale.ROOT));
                    }
                }
                lists.put(lang, words);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return lists;
    }

    /**
     * Decides a sample's language by its function words, or returns null when they do not clearly tell. Words are
     * maximal runs of letters, lower-cased; characters other than letters (blanked letters of other scripts among
     * them) separate words.
     */
    Decision decide(String sample) {
        int[] hits = new int[languages.size()];
        int words = 0;
        StringBuilder word = new StringBuilder(24);
        for (int i = 0; i <= sample.length(); ) {
            int cp = i < sample.length() ? sample.codePointAt(i) : ' ';
            i += i < sample.length() ? Character.charCount(cp) : 1;
            if (Character.isLetter(cp)) {
                word.appendCodePoint(Character.toLowerCase(cp));
                continue;
            }
            if (word.length() > 0) {
                words++;
                Integer id = owner.get(word.toString());
                if (id != null) {
                    hits[id]++;
                }
                word.setLength(0);
            }
        }
        if (words < MIN_WORDS) {
            return null;
        }
        int best = -1;
        int bestHits = 0;
        int secondHits = 0;
        for (int id = 0; id < hits.length; id++) {
            if (hits[id] > bestHits) {
                secondHits = bestHits;
                bestHits = hits[id];
                best = id;
            } else if (hits[id] > secondHits) {
                secondHits = hits[id];
            }
        }
        if (best < 0 || bestHits < MIN_HITS || bestHits < MIN_SHARE * words || bestHits < MIN_RATIO * secondHits) {
            return null;
        }
        return new Decision(languages.get(best), (double) bestHits / words, 1.0 - (double) secondHits / bestHits);
    }
}
