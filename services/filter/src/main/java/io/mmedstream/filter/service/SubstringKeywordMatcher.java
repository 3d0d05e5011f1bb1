package io.mmedstream.filter.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link MatchingMode#SUBSTRING}: every keyword's non-overlapping occurrences anywhere in the text (the count Python's
 * {@code str.count} gives), case-insensitive, found for all keywords in one pass with an Aho-Corasick automaton over
 * UTF-16 code units. Each keyword is counted on its own, as the paper's method counts them; keywords that overlap in
 * the text are each counted.
 */
final class SubstringKeywordMatcher implements KeywordMatcher {

    private static final int[] NO_OUTPUT = new int[0];

    private final String[] keywords;
    private final int[] keywordChars; // UTF-16 length, to find where an occurrence starts
    private final int[] keywordCodePoints; // length in code points, for the density
    // Automaton: per state, its outgoing edges (sorted chars and their target states), failure link, and the
    // keywords that end in it (its own and those of its failure chain).
    private final char[][] edgeChars;
    private final int[][] edgeTargets;
    private final int[] failure;
    private final int[][] outputs;

    SubstringKeywordMatcher(List<String> keywordList) {
        int n = keywordList.size();
        keywords = keywordList.toArray(String[]::new);
        keywordChars = new int[n];
        keywordCodePoints = new int[n];
        List<Map<Character, Integer>> trie = new ArrayList<>();
        List<List<Integer>> own = new ArrayList<>();
        trie.add(new TreeMap<>());
        own.add(new ArrayList<>());
        for (int k = 0; k < n; k++) {
            String folded = TextFolding.fold(keywords[k]);
            keywordChars[k] = folded.length();
            keywordCodePoints[k] = keywords[k].codePointCount(0, keywords[k].length());
            int state = 0;
            for (int i = 0; i < folded.length(); i++) {
                Integer next = trie.get(state).get(folded.charAt(i));
                if (next == null) {
                    next = trie.size();
                    trie.add(new TreeMap<>());
                    own.add(new ArrayList<>());
                    trie.get(state).put(folded.charAt(i), next);
                }
                state = next;
            }
            own.get(state).add(k);
        }
        int states = trie.size();
        edgeChars = new char[states][];
        edgeTargets = new int[states][];
        for (int s = 0; s < states; s++) {
            Map<Character, Integer> edges = trie.get(s); // TreeMap: sorted by char, ready for binary search
            edgeChars[s] = new char[edges.size()];
            edgeTargets[s] = new int[edges.size()];
            int i = 0;
            for (Map.Entry<Character, Integer> e : edges.entrySet()) {
                edgeChars[s][i] = e.getKey();
                edgeTargets[s][i] = e.getValue();
                i++;
            }
        }
        failure = new int[states];
        outputs = new int[states][];
        outputs[0] = toArray(own.get(0));
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int target : edgeTargets[0]) {
            failure[target] = 0;
            outputs[target] = toArray(own.get(target));
            queue.add(target);
        }
        while (!queue.isEmpty()) { // breadth first: a state's failure target is always finished before it
            int s = queue.poll();
            for (int i = 0; i < edgeChars[s].length; i++) {
                char c = edgeChars[s][i];
                int target = edgeTargets[s][i];
                int f = failure[s];
                while (f != 0 && next(f, c) < 0) {
                    f = failure[f];
                }
                int fNext = next(f, c);
                failure[target] = fNext >= 0 ? fNext : 0;
                outputs[target] = merge(toArray(own.get(target)), outputs[failure[target]]);
                queue.add(target);
            }
        }
    }

    @Override
    public KeywordScore score(String text) {
        int[] counts = new int[keywords.length];
        int[] lastEnd = new int[keywords.length]; // end of the last counted occurrence, to skip overlapping ones
        int state = 0;
        int codePoints = 0;
        for (int i = 0; i < text.length(); i++) {
            char raw = text.charAt(i);
            if (!Character.isLowSurrogate(raw)) {
                codePoints++;
            }
            char c = fold(raw);
            int next;
            while ((next = next(state, c)) < 0 && state != 0) {
                state = failure[state];
            }
            state = Math.max(next, 0);
            for (int k : outputs[state]) {
                int start = i + 1 - keywordChars[k];
                if (start >= lastEnd[k]) {
                    counts[k]++;
                    lastEnd[k] = i + 1;
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
        return new KeywordScore(found, matched, codePoints);
    }

    private static char fold(char c) {
        // Surrogates stay as they are (keywords outside the BMP then match exactly); other chars fold like
        // TextFolding, which keeps every BMP char within the BMP.
        return Character.isSurrogate(c) ? c : (char) TextFolding.fold(c);
    }

    private int next(int state, char c) {
        int i = Arrays.binarySearch(edgeChars[state], c);
        return i >= 0 ? edgeTargets[state][i] : -1;
    }

    private static int[] toArray(List<Integer> list) {
        return list.isEmpty() ? NO_OUTPUT : list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] merge(int[] a, int[] b) {
        if (a.length == 0) {
            return b;
        }
        if (b.length == 0) {
            return a;
        }
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public String toString() {
        return "SubstringKeywordMatcher[" + keywords.length + " keywords, " + failure.length + " states]";
    }
}
