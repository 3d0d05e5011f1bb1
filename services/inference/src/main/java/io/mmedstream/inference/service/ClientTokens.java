package io.mmedstream.inference.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API's clients and their bearer tokens, from {@code client-id=token} pairs (the environment variable
 * {@code MMED_INFERENCE_TOKENS}), and the check of a presented token.
 *
 * <p>The check takes the same time whichever client's token is presented, and however much of it is right: the
 * presented token and every known one are hashed to SHA-256 (equal lengths), and all of them are compared with
 * {@link MessageDigest#isEqual} (constant time) without stopping at a match. Tokens are kept only as hashes, and no
 * message of this class contains a token.
 */
public final class ClientTokens {

    /** Shortest token accepted: guessing must be hopeless even without rate limits. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final List<Map.Entry<String, byte[]>> clients;

    private ClientTokens(List<Map.Entry<String, byte[]>> clients) {
        this.clients = clients;
    }

    /**
     * Parses {@code id=token[,id=token...]} (spaces around pairs ignored).
     *
     * @throws IllegalArgumentException on an empty list, a malformed pair, a bad client id, a short token, or a
     *     client id or token used twice; the message names the client and the position, never the token
     */
    public static ClientTokens parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no client tokens given");
        }
        Map<String, byte[]> byClient = new LinkedHashMap<>();
        String[] pairs = spec.split(",");
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i].strip();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("pair " + (i + 1) + " is not client-id=token");
            }
            String id = pair.substring(0, eq).strip();
            String token = pair.substring(eq + 1).strip();
            if (!CLIENT_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("pair " + (i + 1) + ": client id must be 1-64 letters, digits,"
                        + " '.', '_' or '-', starting with a letter or digit");
            }
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("the token of client '" + id + "' has " + token.length()
                        + " characters; at least " + MIN_TOKEN_LENGTH + " are required");
            }
            byte[] hash = sha256(token);
            for (Map.Entry<String, byte[]> other : byClient.entrySet()) {
                if (MessageDigest.isEqual(other.getValue(), hash)) {
                    throw new IllegalArgumentException("clients '" + other.getKey() + "' and '" + id
                            + "' have the same token");
                }
            }
            if (byClient.put(id, hash) != null) {
                throw new IllegalArgumentException("client '" + id + "' is listed twice");
            }
        }
        if (byClient.isEmpty()) {
            throw new IllegalArgumentException("no client tokens given");
        }
        return new ClientTokens(Collections.unmodifiableList(new ArrayList<>(byClient.entrySet())));
    }

    /** The client a token belongs to, if any (constant time, see the class comment). */
    public Optional<String> authenticate(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        String match = null;
        for (Map.Entry<String, byte[]> client : clients) {
            if (MessageDigest.isEqual(client.getValue(), hash)) {
                match = client.getKey(); // no break: every entry is compared
            }
        }
        return Optional.ofNullable(match);
    }

    /** The client ids, in the order given. */
    public Set<String> clients() {
        Set<String> ids = new java.util.LinkedHashSet<>();
        clients.forEach(c -> ids.add(c.getKey()));
        return Collections.unmodifiableSet(ids);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "ClientTokens" + clients(); // ids only
    }
}
