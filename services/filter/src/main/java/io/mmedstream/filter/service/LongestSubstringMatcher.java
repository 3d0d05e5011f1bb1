package io.mmedstream.filter.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link TermLexicon.Matching#SUBSTRING}: for Chinese and Japanese, written without spaces. The text is scanned once;
 * at each position the longest term starting there is taken and the scan resumes after it, so occurrences never
 * overlap and "糖尿病" is not also counted as "尿". Case-insensitive ({@link TextFolding}). A term that starts (ends)
 * with a Latin letter or digit matches only where the text has no Latin letter or digit just before (after) it, so
 * "CT" does not match inside "ACTH". The text's length is counted in letters and digits (code points), so
 * punctuation and spaces do not dilute the density.
 */
final class LongestSubstringMatcher implements TermMatcher {

    private final char[][] edgeChars; // per trie state: sorted outgoing chars
    private final int[][] edgeTargets;
    private final int[] stateTerm; // term ending in the state, or -1
    private final boolean[] latinStart;
    private final boolean[] latinEnd;
    private final int[] termUnits;

    LongestSubstringMatcher(TermLexicon lexicon) {
        List<TermLexicon.Term> terms = lexicon.terms();
        int n = terms.size();
        termUnits = new int[n];
        latinStart = new boolean[n];
        latinEnd = new boolean[n];
        List<Map<Character, Integer>> trie = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        trie.add(new TreeMap<>());
        ends.add(-1);
        for (int t = 0; t < n; t++) {
            String folded = TextFolding.fold(terms.get(t).text());
            int state = 0;
            for (int i = 0; i < folded.length(); i++) {
                Integer next = trie.get(state).get(folded.charAt(i));
                if (next == null) {
                    next = trie.size();
                    trie.add(new TreeMap<>());
                    ends.add(-1);
                    trie.get(state).put(folded.charAt(i), next);
                }
                state = next;
            }
            if (ends.get(state) >= 0) {
                throw TermLexicon.invalid(lexicon.set() + "/" + lexicon.lang() + ": term listed twice: "
                        + terms.get(t).text());
            }
            ends.set(state, t);
            termUnits[t] = (int) folded.codePoints().filter(Character::isLetterOrDigit).count();
            latinStart[t] = isLatinOrDigit(folded.charAt(0));
            latinEnd[t] = isLatinOrDigit(folded.charAt(folded.length() - 1));
        }
        int states = trie.size();
        edgeChars = new char[states][];
        edgeTargets = new int[states][];
        stateTerm = new int[states];
        for (int s = 0; s < states; s++) {
            Map<Character, Integer> edges = trie.get(s);
            edgeChars[s] = new char[edges.size()];
            edgeTargets[s] = new int[edges.size()];
            int i = 0;
            for (Map.Entry<Character, Integer> e : edges.entrySet()) {
                edgeChars[s][i] = e.getKey();
                edgeTargets[s][i] = e.getValue();
                i++;
            }
            stateTerm[s] = ends.get(s);
        }
    }

    @Override
    public int count(String text, int[] counts) {
        int len = text.length();
        int units = 0;
        for (int k = 0; k < len; k++) {
            char c = text.charAt(k);
            if (Character.isLetterOrDigit(c) || (Character.isHighSurrogate(c) && k + 1 < len
                    && Character.isLetterOrDigit(Character.toCodePoint(c, text.charAt(k + 1))))) {
                units++;
            }
        }
        int i = 0;
        while (i < len) {
            int state = 0;
            int found = -1;
            int foundEnd = i;
            for (int j = i; j < len; j++) {
                int next = next(state, fold(text.charAt(j)));
                if (next < 0) {
                    break;
                }
                state = next;
                int t = stateTerm[state];
                if (t >= 0 && bounded(text, i, j + 1, t)) {
                    found = t;
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
        return units;
    }

    private boolean bounded(String text, int start, int end, int term) {
        if (latinStart[term] && start > 0 && isLatinOrDigit(text.charAt(start - 1))) {
            return false;
        }
        return !(latinEnd[term] && end < text.length() && isLatinOrDigit(text.charAt(end)));
    }

    private static boolean isLatinOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || (c >= '\u00C0' && c <= '\u024F');
    }

    private static char fold(char c) {
        return Character.isSurrogate(c) ? c : (char) TextFolding.fold(c);
    }

    private int next(int state, char c) {
        int i = Arrays.binarySearch(edgeChars[state], c);
        return i >= 0 ? edgeTargets[state][i] : -1;
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
        return "LongestSubstringMatcher[" + termUnits.length + " terms, " + stateTerm.length + " states]";
    }
}
