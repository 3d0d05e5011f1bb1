package io.mmedstream.eval.service;

/** The serving backend as eval needs it (Triton, or the local model server): explicit model control and generation. */
public interface ServingBackend {

    /** Loads (or reloads) {@code model} so that exactly this version serves; returns once it is ready. */
    void serve(String model, String version);

    /** Unloads {@code model} (every version), freeing its memory. */
    void release(String model);

    /** The completion of {@code prompt} by that version (blocking; greedy, the configured token limit). */
    String generate(String model, String version, String prompt);
}
