package io.mmedstream.filter.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArrayMap;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

/**
 * {@link TermLexicon.Matching#STEM}: the text and every term go through the same Lucene analysis chain
 * ({@link StemAnalyzers}); a term of n words matches n consecutive stems separated in the text only by white space
 * or hyphens. Stems are looked up without building strings (Lucene's {@link CharArrayMap}), so a token costs one
 * hash look-up.
 *
 * <p>Stemming is most of the chain's cost and the same words come back in every text, so a text is only tokenised
 * (the chain's own tokenizer, hence the same tokens and offsets) and each word, as written, is looked up in a cache
 * of what the whole chain made of it: its stem's id in the term vocabulary and the suffix term its stem ends with.
 * A word is run through the whole chain once per thread, until the cache holds {@value #CACHE_MAX_WORDS} words and
 * starts afresh. Were the chain ever to make other than exactly one token of a word, the text is analysed whole as
 * before, so the cache changes the cost and never the result.
 */
final class StemTermMatcher implements TermMatcher {

    /** A suffix term needs at least this many letters before it ("april" does not end in the drug stem "-pril"). */
    static final int MIN_SUFFIX_PREFIX = 3;

    /** Words a thread's cache holds before it is emptied (about 4 MB with long words). */
    static final int CACHE_MAX_WORDS = 50_000;
    private static final long IRREGULAR = Long.MIN_VALUE; // the chain did not make exactly one token of the word

    private final Analyzer analyzer;
    private final Analyzer tokenizer = StemAnalyzers.tokenizerOnly();
    /** Per thread: word as written -> (stem id or -1) << 32 | (suffix index or -1) & 0xffffffff, or IRREGULAR. */
    private final ThreadLocal<CharArrayMap<Long>> cache =
            ThreadLocal.withInitial(() -> new CharArrayMap<>(1024, false));
    private final CharArrayMap<Integer> vocabulary; // stem -> id, for stems that occur in some term
    private final Node root = new Node();
    private final int[] termUnits;
    private final char[][] suffixes; // suffix terms, lower case, without the leading "-"
    private final int[] suffixTerms; // their term indices
    private final int minSuffixTokenLength;

    /** A trie over stem ids; {@code term} is the index of the term ending here, or -1. */
    private static final class Node {
        final Map<Integer, Node> next = new HashMap<>(4);
        int term = -1;
    }

    StemTermMatcher(TermLexicon lexicon) {
        this.analyzer = StemAnalyzers.create(lexicon.analyzer());
        this.vocabulary = new CharArrayMap<>(lexicon.terms().size() * 2, false);
        List<TermLexicon.Term> terms = lexicon.terms();
        termUnits = new int[terms.size()];
        List<String> clashes = new ArrayList<>();
        List<char[]> suffixList = new ArrayList<>();
        List<Integer> suffixIndex = new ArrayList<>();
        for (int t = 0; t < terms.size(); t++) {
            if (terms.get(t).suffix()) {
                suffixList.add(terms.get(t).text().substring(1).toLowerCase(java.util.Locale.ROOT).toCharArray());
                suffixIndex.add(t);
                termUnits[t] = 1;
                continue;
            }
            List<String> stems = analyze(terms.get(t).text());
            if (stems.isEmpty()) {
                throw TermLexicon.invalid(lexicon.set() + "/" + lexicon.lang() + ": term '" + terms.get(t).text()
                        + "' has no word");
            }
            Node node = root;
            for (String stem : stems) {
                Integer id = vocabulary.get(stem);
                if (id == null) {
                    id = vocabulary.size();
                    vocabulary.put(stem, id);
                }
                node = node.next.computeIfAbsent(id, k -> new Node());
            }
            if (node.term >= 0) {
                clashes.add("'" + terms.get(node.term).text() + "' = '" + terms.get(t).text() + "' " + stems);
                continue;
            }
            node.term = t;
            termUnits[t] = stems.size();
        }
        suffixes = suffixList.toArray(char[][]::new);
        suffixTerms = suffixIndex.stream().mapToInt(Integer::intValue).toArray();
        minSuffixTokenLength = suffixList.stream().mapToInt(c -> c.length).min().orElse(0) + MIN_SUFFIX_PREFIX;
        if (!clashes.isEmpty()) {
            throw TermLexicon.invalid(lexicon.set() + "/" + lexicon.lang() + ": terms with the same stems (keep one): "
                    + String.join(", ", clashes));
        }
    }

    /** The stems of a text, in order (for tests and diagnostics). */
    List<String> analyze(String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream("", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public int count(String text, int[] counts) {
        CharArrayMap<Long> known = cache.get();
        int[] ids = new int[64];
        int[] suffixOf = new int[64];
        int[] starts = new int[64];
        int[] ends = new int[64];
        int n = 0;
        try (TokenStream ts = tokenizer.tokenStream("", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                    suffixOf = Arrays.copyOf(suffixOf, n * 2);
                    starts = Arrays.copyOf(starts, n * 2);
                    ends = Arrays.copyOf(ends, n * 2);
                }
                Long entry = known.get(term.buffer(), 0, term.length());
                if (entry == null) {
                    String word = term.toString();
                    entry = lookUp(word);
                    if (known.size() >= CACHE_MAX_WORDS) {
                        known.clear();
                    }
                    known.put(word, entry);
                }
                if (entry == IRREGULAR) {
                    ts.end();
                    return countAnalysingWhole(text, counts);
                }
                ids[n] = (int) (entry >> 32);
                suffixOf[n] = (int) (long) entry;
                starts[n] = offset.startOffset();
                ends[n] = offset.endOffset();
                n++;
            }
            ts.end();
        } catch (IOException e) { // a String reader does not fail
            throw new UncheckedIOException(e);
        }
        for (int k = 0; k < n; k++) {
            if (suffixOf[k] >= 0) {
                counts[suffixTerms[suffixOf[k]]]++;
            }
        }
        return matchTerms(text, counts, ids, starts, ends, n);
    }

    /** What the whole chain makes of one word, as a cache entry. */
    private long lookUp(String word) {
        List<String> stems = analyze(word);
        if (stems.size() != 1) {
            return IRREGULAR;
        }
        char[] stem = stems.get(0).toCharArray();
        Integer id = vocabulary.get(stem, 0, stem.length);
        int suffix = -1;
        if (id == null && suffixes.length > 0 && stem.length >= minSuffixTokenLength) {
            suffix = suffixMatch(stem, stem.length);
        }
        return ((long) (id == null ? -1 : id) << 32) | (suffix & 0xffffffffL);
    }

    /** The whole text through the whole chain (what the cache stands for). */
    int countAnalysingWhole(String text, int[] counts) {
        int[] ids = new int[64];
        int[] starts = new int[64];
        int[] ends = new int[64];
        int n = 0;
        try (TokenStream ts = analyzer.tokenStream("", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                    starts = Arrays.copyOf(starts, n * 2);
                    ends = Arrays.copyOf(ends, n * 2);
                }
                Integer id = vocabulary.get(term.buffer(), 0, term.length());
                ids[n] = id == null ? -1 : id;
                if (id == null && suffixes.length > 0 && term.length() >= minSuffixTokenLength) {
                    int s = suffixMatch(term.buffer(), term.length());
                    if (s >= 0) {
                        counts[suffixTerms[s]]++;
                    }
                }
                starts[n] = offset.startOffset();
                ends[n] = offset.endOffset();
                n++;
            }
            ts.end();
        } catch (IOException e) { // a String reader does not fail
            throw new UncheckedIOException(e);
        }
        return matchTerms(text, counts, ids, starts, ends, n);
    }

    /** Longest terms over the stem ids, left to right; returns the number of tokens. */
    private int matchTerms(String text, int[] counts, int[] ids, int[] starts, int[] ends, int n) {
        int i = 0;
        while (i < n) {
            int found = -1;
            int foundEnd = i;
            Node node = root;
            for (int j = i; j < n && ids[j] >= 0; j++) {
                if (j > i && !joinable(text, ends[j - 1], starts[j])) {
                    break;
                }
                node = node.next.get(ids[j]);
                if (node == null) {
                    break;
                }
                if (node.term >= 0) {
                    found = node.term;
                    foundEnd = j + 1;
                }
            }
            if (found >= 0) {
                counts[found]++;
                i = foundEnd;
            } else {
                i++;
            }
        }
        return n;
    }

    /** Index of the first suffix term that a stem ends with, after at least MIN_SUFFIX_PREFIX chars; or -1. */
    private int suffixMatch(char[] buffer, int length) {
        for (int s = 0; s < suffixes.length; s++) {
            char[] suffix = suffixes[s];
            int start = length - suffix.length;
            if (start < MIN_SUFFIX_PREFIX) {
                continue;
            }
            boolean match = true;
            for (int k = 0; k < suffix.length; k++) {
                if (buffer[start + k] != suffix[k]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return s;
            }
        }
        return -1;
    }

    /** Whether only white space and hyphens separate two tokens, so that they may form one term. */
    private static boolean joinable(String text, int from, int to) {
        for (int k = from; k < to; k++) {
            char c = text.charAt(k);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && c != '-' && c != '\u2010'
                    && c != '\u2011' && c != '\u00AD') {
                return false;
            }
        }
        return true;
    }

    @Override
    public int termCount() {
        return termUnits.length;
    }

    @Override
    public int units(int term) {
        return termUnits[term];
    }

    @Override
    public String toString() {
        return "StemTermMatcher[" + termUnits.length + " terms]";
    }
}
