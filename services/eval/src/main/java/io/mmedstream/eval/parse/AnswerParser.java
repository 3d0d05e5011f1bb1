package io.mmedstream.eval.parse;

import io.mmedstream.eval.parse.ParsedAnswer.Chosen;
import io.mmedstream.eval.parse.ParsedAnswer.Rule;
import io.mmedstream.eval.parse.ParsedAnswer.Unparseable;
import java.text.Normalizer;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the chosen option set from a model's output to an MMedBench question.
 *
 * <p>The released parser only stripped {@code ###Answer: OPTION } and {@code IS CORRECT.</s>}, so any other end token
 * or phrasing scored as wrong. This one first cleans the output (Unicode NFKC, so full-width {@code Ｂ} and {@code ：}
 * read as ASCII; text from the first end-of-sequence token on dropped: {@code </s>}, {@code <|im_end|>},
 * {@code <|eot_id|>}, {@code <eos>}, ...; a run-on into a new {@code ### Instruction}/{@code ###Question} dropped),
 * then tries these forms, strongest first ({@link Rule}), taking the first occurrence that yields valid keys:
 * <ol>
 *   <li>after {@code ###Answer:}: {@code OPTION B IS CORRECT.}, {@code OPTION A,C IS CORRECT.}, a letter set or an
 *   option's text;</li>
 *   <li>{@code Option B is correct}, {@code options A and C are correct}, {@code l'option B est correcte},
 *   {@code la opción B es correcta};</li>
 *   <li>after an answer marker in one of the six languages ({@code Answer:}, {@code The answer is},
 *   {@code Correct answer:}, {@code The best answer is}, {@code Réponse(s) :}, {@code La bonne réponse est},
 *   {@code Les propositions exactes sont}, {@code Respuesta:}, {@code La respuesta correcta es la},
 *   {@code La opción correcta es}, {@code Ответ:}, {@code Правильный ответ:}, {@code 答案：}, {@code 答案是},
 *   {@code 答案为}, {@code 正确答案}, {@code 应选}, {@code 正解は}, {@code 答えは}, {@code 正しいのは}): a letter set,
 *   an option's text, or да/нет;</li>
 *   <li>{@code B is correct};</li>
 *   <li>the output is the letters alone: {@code B}, {@code B.}, {@code (B)}, {@code **B**}, {@code Option B},
 *   {@code A, C}, {@code A and C}, {@code A et C}, {@code A y C}, {@code A и C}, {@code A、C}, {@code AC}, or the
 *   letters closed by punctuation and followed by text ({@code B. Axonal demyelination}, {@code C) Warfarin},
 *   {@code B: Heparin});</li>
 *   <li>the output, or its first line, is exactly one option's text (case, spacing and end punctuation aside);</li>
 *   <li>for a yes/no question (options да/нет), the output starts with да or нет.</li>
 * </ol>
 * A letter set is one or more letters joined by commas, {@code 、}, {@code /}, {@code &}, spaces or "and"/"et"/"y"/
 * "и"/"和"/"と"; letters run together ({@code ACD}) only when upper case, distinct and in order. Cyrillic letters
 * that look like Latin ones ({@code А В С Е}) read as {@code A B C E}. Lower-case letters count in
 * {@code option b is correct}, and elsewhere only when nothing but punctuation follows them (so "the answer is a
 * fever" and "###Answer: a fever" choose nothing). A letter that is not one of the question's option keys makes that
 * occurrence invalid; if no other occurrence yields valid keys the answer is {@link Unparseable}, with the reason.
 *
 * <p>Instances are stateless and thread-safe.
 */
public final class AnswerParser {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

    private static final Pattern TARGET_TAG = Pattern.compile("#{2,}\\s*answer(?:\\s*\\(s\\))?", FLAGS);
    private static final Pattern OPTION_WORD = Pattern.compile(
            "(?<![\\p{L}\\p{N}])(?:options?|choices?|opci[oó]n(?:es)?)\\s+", FLAGS);
    private static final Pattern IS_CORRECT = Pattern.compile(
            "\\s*(?:is|are|est|sont|es|son)\\s+(?:the\\s+|la\\s+|el\\s+)?"
                    + "(?:correct|right|true|best|correctes?|exactes?|justes?|correctas?|correctos?)(?![\\p{L}\\p{N}])",
            FLAGS);
    private static final Pattern MARKER = Pattern.compile(
            "(?:the\\s+)?(?:correct|right|best|final)\\s+(?:answers?|options?|choices?)"
                    + "|answers?"
                    + "|(?:bonnes?\\s+)?réponses?(?:\\s+(?:correctes?|exactes?|justes?))?"
                    + "|(?:bonnes?\\s+)?(?:propositions?|options?)\\s+(?:correctes?|exactes?|justes?)"
                    + "|respuestas?(?:\\s+correctas?)?"
                    + "|opci[oó]n(?:es)?\\s+correctas?"
                    + "|(?:правильный\\s+)?ответ|правильный\\s+вариант"
                    + "|正确答案|答案|正确选项|应选|故选|选择|正解|答え|解答|正しいのは|正しい選択肢",
            FLAGS);

    /** Words and marks between a marker and the letters: "is", "la", "option", "是", "は", ... (longest first). */
    private static final List<String> FILLERS = List.of(
            "would be", "should be", "will be", "opciones", "варианты", "options", "choices", "вариант", "option",
            "choice", "letter", "opción", "opcion", "应该是", "sont", "(s)", "the", "are", "was", "est", "son",
            "это", "应为", "应选", "选项", "選択肢", "is", "la", "el", "le", "es", "是", "为", "為", "は", "が", "选");
    private static final String FILLER_MARKS = ":-–—=*#>\"“”«»'`";
    /** Words joining letters of a set. */
    private static final List<String> CONJUNCTIONS = List.of("and", "und", "et", "y", "и", "以及", "和", "与", "及", "と");
    private static final String SEPARATOR_MARKS = ",、/&+;";
    private static final String OPENING_MARKS = "([*\"'«“「【";
    private static final String CLOSING_MARKS = ")]*\"'»”」】";
    private static final String TRAILING_PUNCTUATION = ".。,;:)]!?\n";
    private static final String YES = "да";
    private static final String NO = "нет";

    /** How lower-case letters are treated where a letter set may stand. */
    private enum Case {
        /** Only upper-case (and Cyrillic look-alike) letters. */
        UPPER_ONLY,
        /** Lower-case letters too, when only punctuation or the end follows them. */
        LOWER_IF_ISOLATED,
        /** Lower-case letters too: the context already says a letter comes. */
        ANY
    }

    /** A letter set read from the text, and where it ended. */
    private record Letters(SortedSet<String> keys, int end) {
    }

    /**
     * The option set an output chose.
     *
     * @param output  the model's raw output (the prompt excluded)
     * @param options the question's options, key to text: the valid keys, and the texts an output may give instead
     */
    public ParsedAnswer parse(String output, Map<String, String> options) {
        if (options == null || options.isEmpty()) {
            throw new IllegalArgumentException("a question needs options");
        }
        String text = ModelOutput.clean(output);
        if (text.isEmpty()) {
            return new Unparseable("empty output");
        }
        return new Attempt(text, options).run();
    }

    /** One parse: the cleaned text, the question's options and the first invalid letter set seen. */
    private static final class Attempt {
        private final String text;
        private final Map<String, String> options;
        private final Map<String, String> keyByText = new TreeMap<>();
        private final boolean yesNo;
        private String invalid;

        Attempt(String text, Map<String, String> options) {
            this.text = text;
            this.options = options;
            Map<String, Integer> seen = new TreeMap<>();
            options.forEach((key, value) -> {
                String normalized = normalizeText(value);
                if (!normalized.isEmpty()) {
                    seen.merge(normalized, 1, Integer::sum);
                    keyByText.put(normalized, key);
                }
            });
            // Two options with the same text cannot be told apart by text.
            seen.forEach((normalized, count) -> {
                if (count > 1) {
                    keyByText.remove(normalized);
                }
            });
            yesNo = keyByText.keySet().equals(Set.of(YES, NO));
        }

        ParsedAnswer run() {
            ParsedAnswer answer = afterEach(TARGET_TAG, Case.LOWER_IF_ISOLATED, Rule.TARGET_PHRASE);
            if (answer == null) {
                answer = optionIsCorrect();
            }
            if (answer == null) {
                answer = afterEach(MARKER, Case.LOWER_IF_ISOLATED, Rule.ANSWER_MARKER);
            }
            if (answer == null) {
                answer = letterIsCorrect();
            }
            if (answer == null) {
                answer = bareLetters();
            }
            if (answer == null) {
                answer = textOrYesNo(text);
            }
            if (answer == null) {
                int newline = text.indexOf('\n');
                if (newline > 0) {
                    answer = textOrYesNo(text.substring(0, newline));
                }
            }
            if (answer != null) {
                return answer;
            }
            return new Unparseable(invalid != null ? invalid : "no answer found");
        }

        /** Tries what follows each occurrence of a marker, in order of occurrence. */
        private ParsedAnswer afterEach(Pattern marker, Case mode, Rule rule) {
            Matcher m = marker.matcher(text);
            int from = 0;
            while (from < text.length() && m.find(from)) {
                from = m.start() + 1;
                if (!isBounded(m.start(), m.end())) {
                    continue;
                }
                Letters letters = letters(text, m.end(), mode);
                if (letters != null) {
                    ParsedAnswer answer = accept(letters, rule);
                    if (answer != null) {
                        return answer;
                    }
                    continue;
                }
                int start = skipFillers(text, m.end());
                int lineEnd = text.indexOf('\n', start);
                ParsedAnswer answer = textOrYesNo(text.substring(start, lineEnd < 0 ? text.length() : lineEnd));
                if (answer != null) {
                    return answer;
                }
            }
            return null;
        }

        /** {@code Option B is correct}, {@code options A and C are correct}. */
        private ParsedAnswer optionIsCorrect() {
            Matcher m = OPTION_WORD.matcher(text);
            while (m.find()) {
                Letters letters = letters(text, m.end(), Case.ANY);
                if (letters != null && IS_CORRECT.matcher(text).region(letters.end(), text.length()).lookingAt()) {
                    ParsedAnswer answer = accept(letters, Rule.OPTION_IS_CORRECT);
                    if (answer != null) {
                        return answer;
                    }
                }
            }
            return null;
        }

        /** {@code B is correct}: upper-case letters only, so a word cannot pose as a letter. */
        private ParsedAnswer letterIsCorrect() {
            for (int i = 0; i < text.length(); i++) {
                if (keyOf(text.charAt(i), Case.UPPER_ONLY) == null || (i > 0 && isWordChar(text.charAt(i - 1)))) {
                    continue;
                }
                Letters letters = letters(text, i, Case.UPPER_ONLY);
                if (letters != null && IS_CORRECT.matcher(text).region(letters.end(), text.length()).lookingAt()) {
                    ParsedAnswer answer = accept(letters, Rule.LETTER_IS_CORRECT);
                    if (answer != null) {
                        return answer;
                    }
                }
            }
            return null;
        }

        /** The letters alone on the first line, or closed by punctuation and followed by text ({@code B. Axonal ...},
         * {@code C) Warfarin}, {@code B: Heparin}). */
        private ParsedAnswer bareLetters() {
            Letters letters = letters(text, 0, Case.LOWER_IF_ISOLATED);
            if (letters == null) {
                return null;
            }
            int lineEnd = text.indexOf('\n', letters.end());
            String rest = text.substring(letters.end(), lineEnd < 0 ? text.length() : lineEnd).strip();
            boolean closed = ")]*".indexOf(text.charAt(letters.end() - 1)) >= 0;
            if (!rest.isEmpty() && !closed && ".。:)]".indexOf(rest.charAt(0)) < 0) {
                return null;
            }
            return accept(letters, Rule.BARE_LETTERS);
        }

        /** A segment that is exactly one option's text, or (yes/no questions) starts with да or нет. */
        private ParsedAnswer textOrYesNo(String segment) {
            String normalized = normalizeText(segment);
            String key = keyByText.get(normalized);
            if (key != null) {
                return new Chosen(new TreeSet<>(Set.of(key)), Rule.OPTION_TEXT);
            }
            if (yesNo) {
                int end = 0;
                while (end < normalized.length() && Character.isLetter(normalized.charAt(end))) {
                    end++;
                }
                String word = normalized.substring(0, end);
                if (word.equals(YES) || word.equals(NO)) {
                    return new Chosen(new TreeSet<>(Set.of(keyByText.get(word))), Rule.YES_NO);
                }
            }
            return null;
        }

        private ParsedAnswer accept(Letters letters, Rule rule) {
            if (options.keySet().containsAll(letters.keys())) {
                return new Chosen(letters.keys(), rule);
            }
            if (invalid == null) {
                SortedSet<String> outside = new TreeSet<>(letters.keys());
                outside.removeAll(options.keySet());
                invalid = "letter(s) " + String.join(",", outside) + " not among the options "
                        + String.join(",", options.keySet());
            }
            return null;
        }

        /** A Latin or Cyrillic marker must be a whole word: "answer", not "answered" or "reanswer". */
        private boolean isBounded(int start, int end) {
            boolean before = start == 0 || !isWordChar(text.charAt(start - 1)) || !isWordChar(text.charAt(start));
            boolean after = end >= text.length() || !isWordChar(text.charAt(end)) || !isWordChar(text.charAt(end - 1));
            return before && after;
        }
    }

    /** A letter set at {@code from} (after skipping fillers), or null when none stands there. */
    private static Letters letters(String s, int from, Case mode) {
        Letters first = item(s, skipFillers(s, from), mode, true);
        if (first == null) {
            return null;
        }
        SortedSet<String> keys = new TreeSet<>(first.keys());
        int end = first.end();
        while (true) {
            int j = skipHorizontalSpace(s, end);
            boolean separated = j > end;
            if (j < s.length() && SEPARATOR_MARKS.indexOf(s.charAt(j)) >= 0) {
                j = skipHorizontalSpace(s, j + 1);
                separated = true;
            }
            int afterConjunction = conjunction(s, j, separated);
            if (afterConjunction >= 0) {
                j = skipHorizontalSpace(s, afterConjunction);
                separated = true;
            }
            if (!separated) {
                break;
            }
            j = skipOptionWord(s, j);
            // A run such as "ACD" only opens a set: after a blank, "IS" in "B IS CORRECT" is a word.
            Letters next = item(s, j, mode, false);
            if (next == null) {
                break;
            }
            keys.addAll(next.keys());
            end = next.end();
        }
        return new Letters(Collections.unmodifiableSortedSet(keys), end);
    }

    /**
     * One letter (or, when {@code allowRun}, an ordered upper-case run such as {@code ACD}) with optional brackets or
     * emphasis around it.
     */
    private static Letters item(String s, int i, Case mode, boolean allowRun) {
        int n = s.length();
        int j = i;
        for (int opened = 0; j < n && opened < 2 && OPENING_MARKS.indexOf(s.charAt(j)) >= 0; opened++) {
            j++;
        }
        if (j >= n || (j > 0 && isWordChar(s.charAt(j - 1)))) {
            return null;
        }
        int k = j;
        while (k < n && s.charAt(k) >= 'A' && s.charAt(k) <= 'Z') {
            k++;
        }
        SortedSet<String> keys = new TreeSet<>();
        if (k - j >= 2 && allowRun) {
            if (k < n && isWordChar(s.charAt(k))) {
                return null;
            }
            for (int m = j; m < k; m++) {
                if (m > j && s.charAt(m) <= s.charAt(m - 1)) {
                    return null;
                }
                keys.add(String.valueOf(s.charAt(m)));
            }
        } else {
            char c = s.charAt(j);
            Character key = keyOf(c, mode);
            k = j + 1;
            if (key == null || (k < n && isWordChar(s.charAt(k))) || isPronoun(s, j)) {
                return null;
            }
            if (mode == Case.LOWER_IF_ISOLATED && Character.isLowerCase(c) && !isolated(s, k)) {
                return null;
            }
            keys.add(String.valueOf(key));
        }
        for (int closed = 0; k < n && closed < 2 && CLOSING_MARKS.indexOf(s.charAt(k)) >= 0; closed++) {
            k++;
        }
        return new Letters(keys, k);
    }

    /** "I" followed by a lower-case word is the English pronoun ("Answer: I think it is B"), not a key. */
    private static boolean isPronoun(String s, int j) {
        return s.charAt(j) == 'I' && j + 2 < s.length() && s.charAt(j + 1) == ' '
                && Character.isLowerCase(s.charAt(j + 2));
    }

    /** The option key a character stands for in {@code mode}, or null. */
    private static Character keyOf(char c, Case mode) {
        if (c >= 'A' && c <= 'Z') {
            return c;
        }
        if (mode != Case.UPPER_ONLY && c >= 'a' && c <= 'z') {
            return Character.toUpperCase(c);
        }
        return switch (c) {
            case '\u0410' -> 'A'; // Cyrillic А
            case '\u0412' -> 'B'; // Cyrillic В
            case '\u0421' -> 'C'; // Cyrillic С
            case '\u0415' -> 'E'; // Cyrillic Е
            default -> null;
        };
    }

    /** Only closing marks, blanks and then punctuation, "is correct" or the end follow {@code k}. */
    private static boolean isolated(String s, int k) {
        int j = k;
        while (j < s.length()
                && (CLOSING_MARKS.indexOf(s.charAt(j)) >= 0 || s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j++;
        }
        return j >= s.length() || TRAILING_PUNCTUATION.indexOf(s.charAt(j)) >= 0
                || IS_CORRECT.matcher(s).region(k, s.length()).lookingAt();
    }

    private static int skipFillers(String s, int from) {
        int i = from;
        boolean moved = true;
        while (moved && i < s.length()) {
            moved = false;
            if (Character.isWhitespace(s.charAt(i)) || FILLER_MARKS.indexOf(s.charAt(i)) >= 0) {
                i++;
                moved = true;
                continue;
            }
            int after = word(s, i, FILLERS);
            if (after > i) {
                i = after;
                moved = true;
            }
        }
        return i;
    }

    private static int skipOptionWord(String s, int from) {
        int after = word(s, from, List.of("options", "option", "opción", "opcion", "вариант", "选项"));
        return after > from ? skipHorizontalSpace(s, after) : from;
    }

    /** The end of a conjunction at {@code i}; a Latin or Cyrillic one needs blanks around it. */
    private static int conjunction(String s, int i, boolean separated) {
        int after = word(s, i, CONJUNCTIONS);
        if (after <= i) {
            return -1;
        }
        boolean spelled = isWordChar(s.charAt(i));
        if (spelled && (!separated || after >= s.length() || !Character.isWhitespace(s.charAt(after)))) {
            return -1;
        }
        return after;
    }

    /** The end of the first of {@code words} at {@code i} (ignoring case, whole word when spelled), or {@code i}. */
    private static int word(String s, int i, List<String> words) {
        for (String w : words) {
            int end = i + w.length();
            if (end <= s.length() && s.regionMatches(true, i, w, 0, w.length())
                    && !(isWordChar(w.charAt(w.length() - 1)) && end < s.length() && isWordChar(s.charAt(end)))) {
                return end;
            }
        }
        return i;
    }

    private static int skipHorizontalSpace(String s, int i) {
        int j = i;
        while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j++;
        }
        return j;
    }

    /** Letters of alphabetic scripts and digits: what may not touch a letter key. CJK text may. */
    private static boolean isWordChar(char c) {
        if (Character.isDigit(c)) {
            return true;
        }
        if (!Character.isLetter(c)) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.LATIN || script == Character.UnicodeScript.CYRILLIC
                || script == Character.UnicodeScript.GREEK;
    }

    /** Option text as compared: NFKC, lower case, single spaces, no surrounding punctuation or quotes. */
    static String normalizeText(String s) {
        String text = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT)
                .replaceAll("\\s+", " ").strip();
        String edge = ".。!?:;,\"'*«»“”「」()[]{}";
        int start = 0;
        int end = text.length();
        while (start < end && (edge.indexOf(text.charAt(start)) >= 0 || text.charAt(start) == ' ')) {
            start++;
        }
        while (end > start && (edge.indexOf(text.charAt(end - 1)) >= 0 || text.charAt(end - 1) == ' ')) {
            end--;
        }
        return text.substring(start, end);
    }
}
