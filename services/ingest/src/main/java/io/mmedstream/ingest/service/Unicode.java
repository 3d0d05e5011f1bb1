package io.mmedstream.ingest.service;

/** Small string helpers for validation and messages. */
final class Unicode {

    private Unicode() {
    }

    /**
     * Index of the first UTF-16 surrogate that is not part of a pair, or -1. JSON escapes such as {@code "\ud800"}
     * produce them even from valid UTF-8 bytes; they are not characters and have no UTF-8 encoding.
     */
    static int firstUnpairedSurrogate(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Number of bytes {@code s} takes in UTF-8 (for well-formed strings). */
    static long utf8Length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** {@code s} cut to at most {@code max} characters for a message, marked with an ellipsis when cut. */
    static String abbreviate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }
}
