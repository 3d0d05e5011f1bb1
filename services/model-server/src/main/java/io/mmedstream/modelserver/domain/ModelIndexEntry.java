package io.mmedstream.modelserver.domain;

/**
 * One line of the repository index: a model, or one version of it, and its state.
 *
 * @param version empty for a model that has no version known to the server (never loaded, or its configuration
 *     failed before versions were chosen)
 * @param state {@code READY}, {@code LOADING}, {@code UNLOADING}, {@code UNAVAILABLE}, or empty for a model that was
 *     never asked to load
 * @param reason why it is in that state ("unloaded", a load error), or empty
 */
public record ModelIndexEntry(String name, String version, String state, String reason) {

    public static final String READY = "READY";
    public static final String LOADING = "LOADING";
    public static final String UNLOADING = "UNLOADING";
    public static final String UNAVAILABLE = "UNAVAILABLE";
}
