package io.mmedstream.coordinator.domain;

import java.time.Instant;

/**
 * A round whose attempt waits for its dispatcher: the start failed because the dispatcher's backend (the Kubernetes
 * API) did not answer or answered 429/5xx, and the same attempt is started again after a backoff. No attempt is used
 * up meanwhile.
 *
 * @param attempt   the attempt waiting
 * @param tries     failed starts of it in a row
 * @param reason    the last failure's short code (e.g. {@code http_503}, {@code no_response})
 * @param message   the last failure's message
 * @param since     when the first of these starts failed
 * @param nextTryAt when it is started again; null while that start is under way
 */
public record DispatchWait(int attempt, int tries, String reason, String message, Instant since, Instant nextTryAt) {
}
