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
 */
final class StemTermMatcher implements TermMatcher {

    /** A suffix term needs at least this many letters before it ("april" does not end in the drug stem "-pril"). */
    static final int MIN_SUFFIX_PREFIX = 3;

    private final Analyzer analyzer;
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
