package io.mmedstream.filter.dedup;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Cuts a text into the shingles whose sets MinHash compares. Tokens are case-folded (per code point) runs of
 * letters, digits and combining marks; punctuation and white space only separate tokens. Languages written with
 * spaces are shingled by {@code wordShingle} consecutive words, the char-languages (zh, ja) by {@code charShingle}
 * consecutive letters or digits, since their words are not delimited. A text with fewer tokens than a shingle has one
 * shingle, the whole token sequence; a text without tokens has none.
 *
 * <p>{@link #hashes} is the fast path the filter runs: one 64-bit hash per token (FNV-1a over the folded code
 * points, then a finaliser), one per shingle (a multiply-add chain over its token hashes, then the finaliser), no
 * strings built. {@link #shingles} returns the same shingles as strings, to measure true Jaccard similarities; both
 * cut tokens with the same code. Thread-safe.
 */
public final class Shingler {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long CHAIN = 0x9e3779b97f4a7c15L;

    private final int wordShingle;
    private final int charShingle;
    private final Set<String> charLanguages;

    public Shingler(int wordShingle, int charShingle, Set<String> charLanguages) {
        if (wordShingle < 1 || charShingle < 1) {
            throw new IllegalArgumentException("shingle sizes must be >= 1");
        }
        this.wordShingle = wordShingle;
        this.charShingle = charShingle;
        this.charLanguages = Set.copyOf(charLanguages);
    }

    public Shingler(DedupSettings settings) {
        this(settings.wordShingle(), settings.charShingle(), settings.charLanguages());
    }

    /** Whether texts in this language are shingled by characters. */
    public boolean byCharacters(String lang) {
        return lang != null && charLanguages.contains(lang);
    }

    /** Tokens per shingle for this language. */
    public int shingleSize(String lang) {
        return byCharacters(lang) ? charShingle : wordShingle;
    }

    /**
     * The 64-bit hashes of the text's shingles, in text order, repeats included (MinHash ignores them), in
     * {@code out} if it is large enough (else in a new array).
     */
    public Hashes hashes(CharSequence text, String lang, long[] out) {
        Tokens tokenized = tokenHashes(text, byCharacters(lang));
        long[] tokens = tokenized.hashes;
        int n = tokenized.count;
        int k = shingleSize(lang);
        if (n == 0) {
            return new Hashes(out == null ? new long[0] : out, 0);
        }
        int count = n < k ? 1 : n - k + 1;
        int width = Math.min(k, n);
        long[] shingles = out != null && out.length >= count ? out : new long[Math.max(count, 16)];
        for (int i = 0; i < count; i++) {
            long h = 0;
            for (int j = 0; j < width; j++) {
                h = (h + tokens[i + j]) * CHAIN;
            }
            shingles[i] = mix(h);
        }
        return new Hashes(shingles, count);
    }

    /** Shingle hashes: the first {@code count} entries of {@code values}. */
    public record Hashes(long[] values, int count) {
    }

    /**
     * The text's set of shingles as strings (tokens joined by a space for words, directly for characters): the exact
     * sets the evaluation computes true Jaccard similarities on. Slow; not used by the filter.
     */
    public Set<String> shingles(CharSequence text, String lang) {
        boolean chars = byCharacters(lang);
        String[] tokens = tokenStrings(text, chars);
        int k = shingleSize(lang);
        Set<String> out = new HashSet<>();
        if (tokens.length == 0) {
            return out;
        }
        int count = tokens.length < k ? 1 : tokens.length - k + 1;
        int width = Math.min(k, tokens.length);
        for (int i = 0; i < count; i++) {
            out.add(String.join(chars ? "" : " ", Arrays.asList(tokens).subList(i, i + width)));
        }
        return out;
    }

    /** Token hashes of one text. */
    private static final class Tokens {
        long[] hashes;
        int count;

        Tokens(int capacity) {
            hashes = new long[capacity];
        }

        void add(long hash) {
            if (count == hashes.length) {
                hashes = Arrays.copyOf(hashes, hashes.length * 2);
            }
            hashes[count++] = hash;
        }
    }

    private static Tokens tokenHashes(CharSequence text, boolean chars) {
        Tokens tokens = new Tokens(Math.max(16, text.length() / (chars ? 1 : 5)));
        long h = FNV_OFFSET;
        boolean inToken = false;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            i += Character.charCount(cp);
            if (kind(cp, chars) == SEPARATOR) {
                if (inToken) {
                    tokens.add(mix(h));
                    inToken = false;
                }
                continue;
            }
            int folded = Character.toLowerCase(cp);
            if (chars) {
                tokens.add(mix((FNV_OFFSET ^ folded) * FNV_PRIME));
            } else {
                if (!inToken) {
                    h = FNV_OFFSET;
                    inToken = true;
                }
                h = (h ^ folded) * FNV_PRIME;
            }
        }
        if (inToken) {
            tokens.add(mix(h));
        }
        return tokens;
    }

    private static String[] tokenStrings(CharSequence text, boolean chars) {
        java.util.List<String> tokens = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            i += Character.charCount(cp);
            if (kind(cp, chars) == SEPARATOR) {
                if (!current.isEmpty()) {
                    tokens.add(current.toString());
                    current.setLength(0);
                }
                continue;
            }
            current.appendCodePoint(Character.toLowerCase(cp));
            if (chars) {
                tokens.add(current.toString());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            tokens.add(current.toString());
        }
        return tokens.toArray(String[]::new);
    }

    private static final int SEPARATOR = 0;
    private static final int TOKEN = 1;

    /** Letters and digits are token characters; combining marks too between words (they belong to a letter). */
    private static int kind(int cp, boolean chars) {
        if (cp < 0x80) { // ASCII fast path
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ? TOKEN
                    : SEPARATOR;
        }
        if (Character.isLetterOrDigit(cp)) {
            return TOKEN;
        }
        int type = Character.getType(cp);
        boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
        return mark && !chars ? TOKEN : SEPARATOR;
    }

    /** The finaliser of MurmurHash3 (fmix64): spreads every input bit over the whole word. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93e53a2c16bL;
        h ^= h >>> 33;
        return h;
    }
}
