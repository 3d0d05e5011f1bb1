package io.mmedstream.filter.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.mmedstream.filter.domain.DropReason;
import io.mmedstream.filter.domain.ScoreNames;

/**
 * Language-aware quality rules in the style of Gopher and C4, for one language ({@link QualityProfile}) with one set
 * of thresholds ({@link QualitySettings}). Every rule is evaluated and reported with its metric; a text fails every
 * rule whose metric is out of bounds, reasons in this order:
 * <ol>
 * <li>{@code quality_too_few_words}, {@code quality_too_long}: word count (zh/ja: letters) out of bounds;</li>
 * <li>{@code quality_word_length}: mean word length out of bounds (not zh/ja);</li>
 * <li>{@code quality_symbol_ratio}: too many symbol characters, or too many "#" and ellipses per word;</li>
 * <li>{@code quality_digit_ratio}: too many digits;</li>
 * <li>{@code quality_alpha_words}: too few words holding a letter (not zh/ja);</li>
 * <li>{@code quality_no_stopwords}: too few function words to be prose;</li>
 * <li>{@code quality_bullet_lines}, {@code quality_ellipsis_lines}: mostly bullet lines, or many lines cut off with
 * an ellipsis (only with at least {@code minLinesForLineRules} lines);</li>
 * <li>{@code quality_boilerplate}: too much of the text in boilerplate lines (short lines holding a boilerplate
 * phrase of the language, or navigation lines such as "Home | News | Contact"), judged only with at least
 * {@code minLinesForLineRules} lines (page furniture comes in lines); "lorem ipsum" anywhere counts as all
 * boilerplate;</li>
 * <li>{@code quality_repetition}: too many repeated lines or paragraphs (by count or by characters), too much text
 * in the most frequent 2-, 3- or 4-gram, or too much text in repeated 5- to 10-grams (Gopher's repetition rules;
 * n-grams of characters for zh/ja; the n-gram rules only from {@code minWordsForNgramRules} words).</li>
 * </ol>
 * Words are white-space separated tokens with leading and trailing punctuation removed, compared case-insensitively.
 * Thread-safe: all working state is per call.
 */
final class QualityRules {

    private static final int MAX_BOILERPLATE_LINE = 200;

    private final QualitySettings settings;
    private final QualityProfile profile;

    private final long[] stopwordHashes; // sorted

    QualityRules(QualitySettings settings, QualityProfile profile) {
        this.settings = settings;
        this.profile = profile;
        // Words are compared by 64-bit hash, so counting stop words allocates nothing per word.
        stopwordHashes = profile.stopwords().stream().mapToLong(QualityRules::wordHash).sorted().toArray();
    }

    QualityReport evaluate(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();

        // Characters.
        int nonSpace = 0;
        int symbols = 0;
        int digits = 0;
        int hashes = 0;
        int ellipses = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                continue;
            }
            nonSpace++;
            if (Character.isDigit(cp)) {
                digits++;
            } else if (isSymbol(cp)) {
                symbols++;
            }
            if (cp == '#') {
                hashes++;
            } else if (cp == '\u2026') {
                ellipses++;
            } else if (cp == '.' && i + 1 < text.length() && text.charAt(i) == '.' && text.charAt(i + 1) == '.') {
                ellipses++;
                i += 2;
                nonSpace += 2;
            }
        }

        // Words (or letters for zh/ja).
        Units units = profile.characters() ? Units.characters(text) : Units.words(text, stopwordHashes);
        int words = units.count;
        m.put(ScoreNames.Q_WORDS, (double) words);
        if (words < settings.minWords()) {
            failed.add(DropReason.QUALITY_TOO_FEW_WORDS.code());
        }
        if (words > settings.maxWords()) {
            failed.add(DropReason.QUALITY_TOO_LONG.code());
        }
        if (!profile.characters()) {
            double mean = words == 0 ? 0.0 : (double) units.totalLength / words;
            m.put(ScoreNames.Q_MEAN_WORD_LENGTH, mean);
            if (words > 0 && (mean < settings.minMeanWordLength() || mean > settings.maxMeanWordLength())) {
                failed.add(DropReason.QUALITY_WORD_LENGTH.code());
            }
        }
        double symbolRatio = ratio(symbols, nonSpace);
        double hashEllipsis = ratio(hashes + ellipses, Math.max(words, 1));
        m.put(ScoreNames.Q_SYMBOL_RATIO, symbolRatio);
        m.put(ScoreNames.Q_HASH_ELLIPSIS_RATIO, hashEllipsis);
        if (symbolRatio > settings.maxSymbolRatio() || hashEllipsis > settings.maxHashEllipsisRatio()) {
            failed.add(DropReason.QUALITY_SYMBOL_RATIO.code());
        }
        double digitRatio = ratio(digits, nonSpace);
        m.put(ScoreNames.Q_DIGIT_RATIO, digitRatio);
        if (digitRatio > settings.maxDigitRatio()) {
            failed.add(DropReason.QUALITY_DIGIT_RATIO.code());
        }
        if (!profile.characters()) {
            double alpha = ratio(units.alphabetic, words);
            m.put(ScoreNames.Q_ALPHA_WORD_SHARE, alpha);
            if (alpha < settings.minAlphaWordShare()) {
                failed.add(DropReason.QUALITY_ALPHA_WORDS.code());
            }
        }
        int stopwords = profile.characters() ? countStopChars(text) : units.stopwords;
        m.put(ScoreNames.Q_STOPWORDS, (double) stopwords);
        if (stopwords < settings.minStopwords()) {
            failed.add(DropReason.QUALITY_NO_STOPWORDS.code());
        }

        // Lines and paragraphs.
        Lines lines = Lines.of(text, profile);
        boolean enoughLines = lines.count >= settings.minLinesForLineRules();
        double bullets = ratio(lines.bullets, lines.count);
        double ellipsisLines = ratio(lines.ellipsisEnds, lines.count);
        m.put(ScoreNames.Q_BULLET_LINE_SHARE, bullets);
        m.put(ScoreNames.Q_ELLIPSIS_LINE_SHARE, ellipsisLines);
        if (enoughLines && bullets > settings.maxBulletLineShare()) {
            failed.add(DropReason.QUALITY_BULLET_LINES.code());
        }
        if (enoughLines && ellipsisLines > settings.maxEllipsisLineShare()) {
            failed.add(DropReason.QUALITY_ELLIPSIS_LINES.code());
        }
        boolean lorem = containsIgnoreCase(text, "lorem ipsum");
        double boilerplate = lorem ? 1.0 : ratio(lines.boilerplateChars, lines.chars);
        m.put(ScoreNames.Q_BOILERPLATE_SHARE, boilerplate);
        if (lorem || (enoughLines && boilerplate > settings.maxBoilerplateShare())) {
            failed.add(DropReason.QUALITY_BOILERPLATE.code());
        }

        // Repetition.
        boolean repeated = false;
        double dupLines = ratio(lines.duplicates, lines.count);
        double dupLineChars = ratio(lines.duplicateChars, lines.chars);
        double dupParas = ratio(lines.paragraphDuplicates, lines.paragraphs);
        double dupParaChars = ratio(lines.paragraphDuplicateChars, lines.chars);
        m.put(ScoreNames.Q_DUP_LINE_SHARE, dupLines);
        m.put(ScoreNames.Q_DUP_LINE_CHAR_SHARE, dupLineChars);
        m.put(ScoreNames.Q_DUP_PARAGRAPH_SHARE, dupParas);
        m.put(ScoreNames.Q_DUP_PARAGRAPH_CHAR_SHARE, dupParaChars);
        if (enoughLines && (dupLines > settings.maxDupLineShare() || dupLineChars > settings.maxDupLineCharShare())) {
            repeated = true;
        }
        if (lines.paragraphs >= 2 && (dupParas > settings.maxDupParagraphShare()
                || dupParaChars > settings.maxDupParagraphCharShare())) {
            repeated = true;
        }
        int scale = profile.characters() ? settings.cjkNgramScale() : 1;
        boolean ngramRules = words >= settings.minWordsForNgramRules() * scale;
        for (int k = 0; k < QualitySettings.TOP_NGRAM_SIZES.length; k++) {
            int n = QualitySettings.TOP_NGRAM_SIZES[k];
            double share = units.topNgramShare(n * scale);
            m.put(ScoreNames.topNgramShare(n), share);
            if (ngramRules && share > settings.maxTopNgramShares().get(k)) {
                repeated = true;
            }
        }
        for (int k = 0; k < QualitySettings.DUP_NGRAM_SIZES.length; k++) {
            int n = QualitySettings.DUP_NGRAM_SIZES[k];
            double share = units.duplicateNgramShare(n * scale);
            m.put(ScoreNames.dupNgramShare(n), share);
            if (ngramRules && share > settings.maxDupNgramShares().get(k)) {
                repeated = true;
            }
        }
        if (repeated) {
            failed.add(DropReason.QUALITY_REPETITION.code());
        }
        return new QualityReport(failed, m);
    }

    /** Whether a text contains an ASCII lower-case phrase, ignoring case, without copying the text. */
    static boolean containsIgnoreCase(String text, String lowerAsciiPhrase) {
        int n = lowerAsciiPhrase.length();
        char first = lowerAsciiPhrase.charAt(0);
        for (int i = 0; i + n <= text.length(); i++) {
            char c = text.charAt(i);
            if ((c == first || c == Character.toUpperCase(first))
                    && text.regionMatches(true, i, lowerAsciiPhrase, 0, n)) {
                return true;
            }
        }
        return false;
    }

    /** FNV-1a hash of a word's lower-case code points, as {@link Units#words} computes it. */
    static long wordHash(String lowerWord) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < lowerWord.length(); ) {
            int cp = lowerWord.codePointAt(i);
            i += Character.charCount(cp);
            h = (h ^ Character.toLowerCase(cp)) * 0x100000001b3L;
        }
        return h;
    }

    private int countStopChars(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) {
                continue;
            }
            if (profile.stopwords().contains(new String(Character.toChars(cp)))) {
                n++;
            }
        }
        return n;
    }

    /** Symbols: Unicode symbol categories plus the ASCII marks that web furniture and markup are made of. */
    static boolean isSymbol(int cp) {
        int type = Character.getType(cp);
        if (type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL
                || type == Character.OTHER_SYMBOL) {
            return true;
        }
        return cp == '#' || cp == '*' || cp == '@' || cp == '\\' || cp == '_' || cp == '{' || cp == '}'
                || cp == '[' || cp == ']';
    }

    private static double ratio(double part, double whole) {
        return whole <= 0 ? 0.0 : part / whole;
    }

    /** A text's units (words, or letters and digits for zh/ja) as hashes and lengths, for the n-gram rules. */
    private static final class Units {
        long[] hash = new long[64];
        int[] length = new int[64];
        int stopwords; // words only
        int count;
        long totalLength;
        int alphabetic;

        static Units words(String text, long[] stopwordHashes) {
            Units u = new Units();
            int i = 0;
            int len = text.length();
            while (i < len) {
                while (i < len && isSpace(text.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < len && !isSpace(text.charAt(i))) {
                    i++;
                }
                if (start == i) {
                    break;
                }
                // Strip leading and trailing characters that are neither letters nor digits.
                int a = start;
                int b = i;
                while (a < b && !Character.isLetterOrDigit(text.codePointAt(a))) {
                    a += Character.charCount(text.codePointAt(a));
                }
                while (b > a && !Character.isLetterOrDigit(text.codePointBefore(b))) {
                    b -= Character.charCount(text.codePointBefore(b));
                }
                if (a == b) {
                    continue;
                }
                boolean letter = false;
                long h = 0xcbf29ce484222325L;
                int cps = 0;
                for (int k = a; k < b; ) {
                    int cp = text.codePointAt(k);
                    k += Character.charCount(cp);
                    int f = Character.toLowerCase(cp);
                    h = (h ^ f) * 0x100000001b3L;
                    cps++;
                    letter |= Character.isLetter(cp);
                }
                u.add(h, cps);
                if (Arrays.binarySearch(stopwordHashes, h) >= 0) {
                    u.stopwords++;
                }
                if (letter) {
                    u.alphabetic++;
                }
            }
            return u;
        }

        static Units characters(String text) {
            Units u = new Units();
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.isLetterOrDigit(cp)) {
                    u.add(Character.toLowerCase(cp) * 0x9E3779B97F4A7C15L, 1);
                    if (Character.isLetter(cp)) {
                        u.alphabetic++;
                    }
                }
            }
            return u;
        }

        private static boolean isSpace(char c) {
            return Character.isWhitespace(c) || Character.isSpaceChar(c);
        }

        void add(long h, int cps) {
            if (count == hash.length) {
                hash = Arrays.copyOf(hash, count * 2);
                length = Arrays.copyOf(length, count * 2);
            }
            hash[count] = h;
            length[count] = cps;
            count++;
            totalLength += cps;
        }

        // Prefix sums, made once per text, so that an n-gram's hash and length cost O(1) whatever n (the rules look
        // at n = 2 ... 10 words, or 6 ... 30 characters for zh/ja).
        private long[] prefixHash; // polynomial hash of units [0, k)
        private long[] prefixLength; // code points of units [0, k)
        private LongIntMap scratch; // one counter, emptied for each n

        private static final long BASE = 0x9E3779B97F4A7C15L;

        private void prepare() {
            if (prefixHash != null) {
                return;
            }
            prefixHash = new long[count + 1];
            prefixLength = new long[count + 1];
            for (int k = 0; k < count; k++) {
                prefixHash[k + 1] = prefixHash[k] * BASE + hash[k];
                prefixLength[k + 1] = prefixLength[k] + length[k];
            }
            scratch = new LongIntMap(count);
        }

        private long ngramHash(int start, int n, long basePowN) {
            long h = prefixHash[start + n] - prefixHash[start] * basePowN;
            h ^= h >>> 31; // finaliser: the counter indexes by the low bits
            h *= 0xBF58476D1CE4E5B9L;
            return h ^ (h >>> 29);
        }

        private static long power(long base, int n) {
            long p = 1;
            for (int k = 0; k < n; k++) {
                p *= base;
            }
            return p;
        }

        private int ngramLength(int start, int n) {
            return (int) (prefixLength[start + n] - prefixLength[start]);
        }

        /** Share of the units' characters covered by the most frequent n-gram's occurrences (0 if none repeats). */
        double topNgramShare(int n) {
            if (count < n || totalLength == 0) {
                return 0.0;
            }
            prepare();
            LongIntMap counts = scratch.reset();
            long pow = power(BASE, n);
            int best = 0;
            int bestStart = -1;
            for (int s = 0; s + n <= count; s++) {
                int c = counts.increment(ngramHash(s, n, pow));
                if (c > best) {
                    best = c;
                    bestStart = s;
                }
            }
            return best < 2 ? 0.0 : Math.min(1.0, (double) best * ngramLength(bestStart, n) / totalLength);
        }

        /**
         * Share of the units' characters inside n-grams seen before: scanning left to right, an n-gram already seen
         * counts its characters and the scan jumps past it, so no character counts twice.
         */
        double duplicateNgramShare(int n) {
            if (count < n || totalLength == 0) {
                return 0.0;
            }
            prepare();
            LongIntMap seen = scratch.reset();
            long pow = power(BASE, n);
            long duplicated = 0;
            int s = 0;
            while (s + n <= count) {
                long h = ngramHash(s, n, pow);
                if (seen.increment(h) > 1) {
                    duplicated += ngramLength(s, n);
                    s += n;
                } else {
                    s++;
                }
            }
            return (double) duplicated / totalLength;
        }
    }

    /** Line and paragraph statistics. */
    private static final class Lines {
        int count;
        long chars;
        int bullets;
        int ellipsisEnds;
        int duplicates;
        long duplicateChars;
        long boilerplateChars;
        int paragraphs;
        int paragraphDuplicates;
        long paragraphDuplicateChars;

        static Lines of(String text, QualityProfile profile) {
            Lines l = new Lines();
            Set<String> seenLines = new HashSet<>();
            Set<String> seenParagraphs = new HashSet<>();
            StringBuilder paragraph = new StringBuilder();
            int start = 0;
            int len = text.length();
            while (start <= len) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = len;
                }
                String line = text.substring(start, end).strip();
                start = end + 1;
                if (line.isEmpty()) {
                    l.endParagraph(paragraph, seenParagraphs);
                    if (end == len) {
                        break;
                    }
                    continue;
                }
                l.count++;
                int lineChars = line.length();
                l.chars += lineChars;
                if (isBullet(line)) {
                    l.bullets++;
                }
                if (line.endsWith("...") || line.endsWith("\u2026")) {
                    l.ellipsisEnds++;
                }
                if (!seenLines.add(line)) {
                    l.duplicates++;
                    l.duplicateChars += lineChars;
                }
                if (lineChars <= MAX_BOILERPLATE_LINE && isBoilerplate(line, profile)) {
                    l.boilerplateChars += lineChars;
                }
                if (!paragraph.isEmpty()) {
                    paragraph.append('\n');
                }
                paragraph.append(line);
                if (end == len) {
                    break;
                }
            }
            l.endParagraph(paragraph, seenParagraphs);
            return l;
        }

        private void endParagraph(StringBuilder paragraph, Set<String> seen) {
            if (paragraph.isEmpty()) {
                return;
            }
            paragraphs++;
            String p = paragraph.toString();
            if (!seen.add(p)) {
                paragraphDuplicates++;
                paragraphDuplicateChars += p.length() - p.chars().filter(c -> c == '\n').count();
            }
            paragraph.setLength(0);
        }

        private static boolean isBullet(String line) {
            int cp = line.codePointAt(0);
            return switch (cp) {
                case '\u2022', '\u25CF', '\u25CB', '\u25A0', '\u25A1', '\u25AA', '\u25AB', '\u25E6', '\u00B7',
                        '\u2023', '\u2043', '\u27A2', '\u27A4', '\u25BA', '\u2713', '\u2714', '\u30FB', '-', '*',
                        '\u2013', '\u2014' -> true;
                default -> false;
            };
        }

        private static boolean isBoilerplate(String line, QualityProfile profile) {
            String lower = line.toLowerCase(Locale.ROOT);
            for (String phrase : profile.boilerplate()) {
                if (lower.contains(phrase)) {
                    return true;
                }
            }
            return isNavigation(line);
        }

        /** "Home | News | Health | Contact", "Home > Health > Diabetes": short items between 3+ separators. */
        private static boolean isNavigation(String line) {
            for (char sep : new char[] {'|', '>', '\u00BB', '\u203A', '\u00B7'}) {
                int n = 0;
                int itemStart = 0;
                boolean shortItems = true;
                for (int i = 0; i <= line.length(); i++) {
                    if (i == line.length() || line.charAt(i) == sep) {
                        String item = line.substring(itemStart, i).strip();
                        if (item.length() > 30 || item.chars().anyMatch(Character::isDigit)) {
                            shortItems = false;
                            break;
                        }
                        if (i < line.length()) {
                            n++;
                        }
                        itemStart = i + 1;
                    }
                }
                if (shortItems && n >= 3) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Open-addressing long to int counter (n-gram hashes), sized for a text once. */
    private static final class LongIntMap {
        private final long[] keys;
        private final int[] values;
        private final int mask;

        LongIntMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            keys = new long[cap];
            values = new int[cap];
            mask = cap - 1;
        }

        /** Empties the counter, for reuse. */
        LongIntMap reset() {
            Arrays.fill(values, 0);
            return this;
        }

        int increment(long key) {
            int i = (int) (key ^ (key >>> 32)) & mask;
            while (true) {
                if (values[i] == 0) {
                    keys[i] = key;
                    values[i] = 1;
                    return 1;
                }
                if (keys[i] == key) {
                    return ++values[i];
                }
                i = (i + 1) & mask;
            }
        }
    }
}
