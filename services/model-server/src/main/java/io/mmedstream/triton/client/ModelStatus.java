package io.mmedstream.triton.client;

/**
 * One line of the server's repository index.
 *
 * @param version empty for a model with no version known to the server
 * @param state READY, LOADING, UNLOADING, UNAVAILABLE, or empty for a model never loaded
 * @param reason why it is in that state, or empty
 */
public record ModelStatus(String name, String version, String state, String reason) {

    public boolean isReady() {
        return "READY".equals(state);
    }
}
