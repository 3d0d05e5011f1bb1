package io.mmedstream.ingest.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content-derived document ids: {@code "d"} followed by the first 32 hex digits (128 bits) of SHA-256 over the
 * normalised text's UTF-8 bytes. The same normalised text always gets the same id, so a resubmission is recognised
 * downstream; 128 bits make an accidental collision negligible for any corpus size.
 */
public final class DocumentIds {

    /** Length of an id: the prefix and 32 hex digits. */
    public static final int LENGTH = 33;

    private static final HexFormat HEX = HexFormat.of();

    private DocumentIds() {
    }

    /** The id of an already normalised text, given as UTF-8 bytes. */
    public static String of(byte[] normalisedUtf8) {
        byte[] digest = sha256().digest(normalisedUtf8);
        return "d" + HEX.formatHex(digest, 0, 16);
    }

    /** The id of an already normalised text. */
    public static String of(String normalisedText) {
        return of(normalisedText.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
