package io.mmedstream.inference.service;

import java.util.Optional;
import java.util.Set;

/**
 * Who may call what: the API's clients (null when authentication is off) and the clients allowed on
 * {@code /admin/*} (empty: every client).
 */
public record AccessPolicy(ClientTokens tokens, Optional<Set<String>> adminClients) {

    public AccessPolicy {
        adminClients = adminClients == null ? Optional.empty() : adminClients.map(Set::copyOf);
    }

    /** No authentication: every caller may do everything. */
    public static AccessPolicy open() {
        return new AccessPolicy(null, Optional.empty());
    }

    /**
     * The policy the configuration asks for.
     *
     * @param enabled      {@code mmed.inference.auth.enabled}
     * @param tokenSpec    {@code mmed.inference.auth.tokens} ({@code MMED_INFERENCE_TOKENS})
     * @param adminClients {@code mmed.inference.auth.admin-clients}
     * @throws IllegalStateException when authentication is on and the tokens are missing or malformed, with what to
     *     set; never with a token in the message
     */
    public static AccessPolicy fromConfig(boolean enabled, Optional<String> tokenSpec,
                                          Optional<? extends java.util.Collection<String>> adminClients) {
        if (!enabled) {
            return open();
        }
        if (tokenSpec.isEmpty() || tokenSpec.get().isBlank()) {
            throw new IllegalStateException("authentication is on (mmed.inference.auth.enabled=true) but no client"
                    + " tokens are configured: set MMED_INFERENCE_TOKENS to comma-separated client-id=token pairs"
                    + " (tokens of at least " + ClientTokens.MIN_TOKEN_LENGTH + " characters), or set"
                    + " MMED_INFERENCE_AUTH_ENABLED=false for an unauthenticated API");
        }
        ClientTokens tokens;
        try {
            tokens = ClientTokens.parse(tokenSpec.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("MMED_INFERENCE_TOKENS (mmed.inference.auth.tokens) is malformed: "
                    + e.getMessage(), e);
        }
        Optional<Set<String>> admins = adminClients.map(Set::copyOf);
        admins.ifPresent(ids -> ids.stream().filter(id -> !tokens.clients().contains(id)).findFirst()
                .ifPresent(unknown -> {
                    throw new IllegalStateException("mmed.inference.auth.admin-clients names '" + unknown
                            + "', which has no token in MMED_INFERENCE_TOKENS");
                }));
        return new AccessPolicy(tokens, admins);
    }

    public boolean enabled() {
        return tokens != null;
    }

    /** Whether an authenticated client may call {@code /admin/*}. */
    public boolean isAdmin(String client) {
        return adminClients.map(ids -> ids.contains(client)).orElse(true);
    }
}
