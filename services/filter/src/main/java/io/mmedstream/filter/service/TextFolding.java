package io.mmedstream.filter.service;

/**
 * Case folding shared by the keyword matchers: per code point, so that folded text keeps the positions of the
 * original (String.toLowerCase may change a string's length, which would break offsets).
 */
final class TextFolding {

    private static final int CYRILLIC_SMALL_IO = 0x0451; // ё
    private static final int CYRILLIC_SMALL_IE = 0x0435; // е

    private TextFolding() {
    }

    /** Lower case; Russian ё is folded to е because ordinary text writes either. */
    static int fold(int codePoint) {
        int lower = Character.toLowerCase(codePoint);
        return lower == CYRILLIC_SMALL_IO ? CYRILLIC_SMALL_IE : lower;
    }

    /** {@link #fold(int)} applied to every code point. */
    static String fold(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(fold(cp)));
        return out.toString();
    }

    /** Whether a code point belongs to a word: a letter, a digit or a combining mark. */
    static boolean isWordCodePoint(int codePoint) {
        if (Character.isLetterOrDigit(codePoint)) {
            return true;
        }
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }
}
