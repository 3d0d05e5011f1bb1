package io.mmedstream.eval.service;

import java.util.List;

/** The serving backend as eval needs it (Triton, or the local model server): explicit model control and generation. */
public interface ServingBackend {

    /** Loads (or reloads) {@code model} so that exactly these versions serve; returns once they are ready. */
    void serve(String model, List<String> versions);

    /** The completion of {@code prompt} by that version (blocking; greedy, the configured token limit). */
    String generate(String model, String version, String prompt);
}
