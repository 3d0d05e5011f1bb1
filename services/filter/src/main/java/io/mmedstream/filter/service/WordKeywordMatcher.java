package io.mmedstream.filter.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * {@link MatchingMode#WORD}: keywords as whole words, case-insensitive. The text is split into words (maximal runs of
 * letters, digits and combining marks; {@link TextFolding#isWordCodePoint}), so "patient" matches in "patient's" and
 * "l'hôpital" holds the word "hôpital", while "pain" does not match inside "painting". A multi-word keyword matches
 * consecutive words separated only by white space or hyphens ("x-ray" matches "x ray"), never across other
 * punctuation. Keywords are looked up in a trie of words, so all keywords are found in one pass.
 */
final class WordKeywordMatcher implements KeywordMatcher {

    private static final class Node {
        final Map<String, Node> next = new HashMap<>();
        int keyword = -1;
    }

    private final String[] keywords;
    private final int[] keywordWords;
    private final int[] keywordCodePoints;
    private final Node root = new Node();

    WordKeywordMatcher(List<String> keywordList) {
        keywords = keywordList.toArray(String[]::new);
        keywordWords = new int[keywords.length];
        keywordCodePoints = new int[keywords.length];
        for (int k = 0; k < keywords.length; k++) {
            Words words = Words.of(keywords[k]);
            if (words.count == 0) {
                throw new FilterException(Reason.INVALID_CONFIGURATION,
                        "keyword '" + keywords[k] + "' holds no word characters");
            }
            Node node = root;
            for (int w = 0; w < words.count; w++) {
                node = node.next.computeIfAbsent(words.text.get(w), key -> new Node());
            }
            node.keyword = k;
            keywordWords[k] = words.count;
            keywordCodePoints[k] = keywords[k].codePointCount(0, keywords[k].length());
        }
    }

    @Override
    public KeywordScore score(String text) {
        Words words = Words.of(text);
        int[] counts = new int[keywords.length];
        int[] lastEnd = new int[keywords.length]; // word index after the last counted occurrence
        for (int start = 0; start < words.count; start++) {
            Node node = root;
            for (int w = start; w < words.count; w++) {
                if (w > start && !joinable(text, words.end[w - 1], words.start[w])) {
                    break;
                }
                node = node.next.get(words.text.get(w));
                if (node == null) {
                    break;
                }
                int k = node.keyword;
                if (k >= 0 && start >= lastEnd[k]) {
                    counts[k]++;
                    lastEnd[k] = start + keywordWords[k];
                }
            }
        }
        Map<String, Integer> found = new LinkedHashMap<>();
        long matched = 0;
        for (int k = 0; k < keywords.length; k++) {
            if (counts[k] > 0) {
                found.put(keywords[k], counts[k]);
                matched += (long) counts[k] * keywordCodePoints[k];
            }
        }
        return new KeywordScore(found, matched, words.codePoints);
    }

    /** Whether the characters between two words let them form one multi-word keyword. */
    private static boolean joinable(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && !isHyphen(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHyphen(char c) {
        return c == '-' || c == '\u2010' || c == '\u2011' || c == '\u00AD';
    }

    /** A text's words: folded text and UTF-16 bounds of each, and the text's length in code points. */
    private static final class Words {
        final List<String> text = new ArrayList<>();
        int[] start = new int[16];
        int[] end = new int[16];
        int count;
        int codePoints;

        static Words of(String s) {
            Words words = new Words();
            StringBuilder current = new StringBuilder();
            int wordStart = -1;
            int i = 0;
            while (i < s.length()) {
                int cp = s.codePointAt(i);
                words.codePoints++;
                if (TextFolding.isWordCodePoint(cp)) {
                    if (wordStart < 0) {
                        wordStart = i;
                    }
                    current.appendCodePoint(TextFolding.fold(cp));
                } else if (wordStart >= 0) {
                    words.add(current, wordStart, i);
                    wordStart = -1;
                }
                i += Character.charCount(cp);
            }
            if (wordStart >= 0) {
                words.add(current, wordStart, s.length());
            }
            return words;
        }

        private void add(StringBuilder current, int from, int to) {
            if (count == start.length) {
                start = java.util.Arrays.copyOf(start, count * 2);
                end = java.util.Arrays.copyOf(end, count * 2);
            }
            text.add(current.toString());
            start[count] = from;
            end[count] = to;
            count++;
            current.setLength(0);
        }
    }

    @Override
    public String toString() {
        return "WordKeywordMatcher[" + keywords.length + " keywords]";
    }
}
