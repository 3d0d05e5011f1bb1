package io.mmedstream.inference.service;

/**
 * The backend's explicit model control, as {@link ModelRouter} uses it (Triton's RepositoryModelLoad/Unload and
 * ModelReady). Implemented over the Triton client by {@link TritonModelBackend}; tests may fake it.
 */
public interface ModelBackend {

    /** Loads or reloads {@code model} with this JSON configuration; returns once its versions serve. */
    void load(String model, String configJson);

    /** Whether that version of the model is ready. */
    boolean ready(String model, String version);

    /** Unloads every version of the model (running requests finish first, on the backend). */
    void unload(String model);
}
