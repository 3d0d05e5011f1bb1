package io.mmedstream.ingest.service;

import java.text.Normalizer;

/**
 * Normalises submitted text so that the same document always becomes the same string (and so the same id).
 *
 * <p>In this order:
 * <ol>
 * <li>Newlines unified: {@code \r\n}, {@code \r}, U+0085 (NEL), U+2028 and U+2029 each become {@code \n}.</li>
 * <li>Control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) removed, except {@code \n} and
 * {@code \t}; the byte-order mark U+FEFF removed wherever it appears. Other format characters (Cf) are kept: zero-width
 * (non-)joiners and bidirectional marks carry meaning in several scripts and in emoji.</li>
 * <li>Unicode NFC. It runs after the removal so that a base letter and a combining mark that were separated by a
 * control character still compose.</li>
 * <li>Leading and trailing white space trimmed: every code point that {@link Character#isWhitespace} or
 * {@link Character#isSpaceChar} accepts, so no-break spaces go too.</li>
 * </ol>
 * The result is a fixed point: normalising it again changes nothing. An empty result means the text was blank.
 */
public final class TextNormalizer {

    private TextNormalizer() {
    }

    /** The normalised form of {@code text}; empty when the text holds nothing but white space and controls. */
    public static String normalize(String text) {
        String cleaned = unifyNewlinesAndRemoveControls(text);
        String composed = Normalizer.isNormalized(cleaned, Normalizer.Form.NFC)
                ? cleaned
                : Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        return trim(composed);
    }

    static String unifyNewlinesAndRemoveControls(String text) {
        int n = text.length();
        int first = 0;
        while (first < n && !needsRewrite(text.charAt(first))) {
            first++;
        }
        if (first == n) {
            return text; // the common case: nothing to change, no copy
        }
        StringBuilder out = new StringBuilder(n);
        out.append(text, 0, first);
        for (int i = first; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                out.append('\n');
                if (i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\u0085' || c == '\u2028' || c == '\u2029') {
                out.append('\n');
            } else if (!needsRewrite(c)) {
                out.append(c);
            }
            // else: a control character other than \n and \t, or U+FEFF: dropped
        }
        return out.toString();
    }

    private static boolean needsRewrite(char c) {
        if (c == '\n' || c == '\t') {
            return false;
        }
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029' || c == '\uFEFF';
    }

    static String trim(String text) {
        int start = 0;
        int end = text.length();
        while (start < end) {
            int cp = text.codePointAt(start);
            if (!isSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        while (end > start) {
            int cp = text.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return start == 0 && end == text.length() ? text : text.substring(start, end);
    }

    private static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
    }
}
