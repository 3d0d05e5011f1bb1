package io.mmedstream.inference.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ClientTokensTest {

    private static final String A = "alpha-token-0123456789";
    private static final String B = "bravo-token-0123456789";

    @Test
    void aTokenAuthenticatesItsClientOnly() {
        ClientTokens tokens = ClientTokens.parse(" local=" + A + " , eval = " + B + ",");
        assertThat(tokens.clients()).containsExactly("local", "eval");
        assertThat(tokens.authenticate(A)).contains("local");
        assertThat(tokens.authenticate(B)).contains("eval");
        assertThat(tokens.authenticate(A + "x")).isEmpty();
        assertThat(tokens.authenticate(A.substring(1))).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        assertThat(tokens.toString()).doesNotContain(A).doesNotContain(B);
    }

    @Test
    void malformedListsAreRefusedWithoutShowingAToken() {
        for (String spec : List.of("", " , ", "local", "=" + A, "lo cal=" + A, "local=short", "a=" + A + ",a=" + B,
                "a=" + A + ",b=" + A)) {
            assertThatThrownBy(() -> ClientTokens.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(A).doesNotContain(B));
        }
        assertThatThrownBy(() -> ClientTokens.parse("local=short")).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> ClientTokens.parse("a=" + A + ",b=" + A)).hasMessageContaining("same token");
    }

    @Test
    void authenticationOnWithoutTokensFailsStartUpWithWhatToSet() {
        assertThatThrownBy(() -> AccessPolicy.fromConfig(true, Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MMED_INFERENCE_TOKENS")
                .hasMessageContaining("MMED_INFERENCE_AUTH_ENABLED=false");
        assertThatThrownBy(() -> AccessPolicy.fromConfig(true, Optional.of("local=short"), Optional.empty()))
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> AccessPolicy.fromConfig(true, Optional.of("local=" + A), Optional.of(List.of("ops"))))
                .hasMessageContaining("'ops'");
        assertThat(AccessPolicy.fromConfig(false, Optional.empty(), Optional.empty()).enabled()).isFalse();
        AccessPolicy policy = AccessPolicy.fromConfig(true, Optional.of("local=" + A + ",app=" + B),
                Optional.of(List.of("local")));
        assertThat(policy.isAdmin("local")).isTrue();
        assertThat(policy.isAdmin("app")).isFalse();
        assertThat(AccessPolicy.fromConfig(true, Optional.of("app=" + B), Optional.empty()).isAdmin("app")).isTrue();
    }
}
