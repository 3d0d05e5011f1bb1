package io.mmedstream.coordinator.dispatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.mmedstream.coordinator.domain.CoordinatorException;
import io.quarkus.logging.Log;

/**
 * Finds the Python interpreter that runs the trainer: the configured one, else the first of the candidates that can
 * import torch and numpy. Decided when the first round is dispatched, not at start-up, so that the coordinator runs
 * (and pools shards) on a machine where PyTorch is installed later; a failed search is repeated at the next dispatch.
 */
public final class PythonLocator {

    /** Tried in this order when none is configured: a pyenv {@code python3} on PATH often lacks Debian's torch. */
    public static final List<String> CANDIDATES = List.of("python3", "/usr/bin/python3");

    /** What to install when no interpreter can import torch (Debian/Ubuntu, as the trainer's README says). */
    public static final String INSTALL_HINT = "apt-get install -y python3-torch python3-numpy libopenblas0-pthread";

    private static final long PROBE_SECONDS = 120;

    private final Optional<String> configured;
    private final List<String> candidates;
    private volatile String found;

    public PythonLocator(Optional<String> configured, List<String> candidates) {
        this.configured = configured.filter(s -> !s.isBlank());
        this.candidates = List.copyOf(candidates);
    }

    /**
     * The interpreter to use.
     *
     * @throws CoordinatorException DISPATCH_PERMANENT when none can import torch
     */
    public String python() {
        String known = found;
        if (known != null) {
            return known;
        }
        List<String> tried = new ArrayList<>();
        for (String candidate : configured.map(List::of).orElse(candidates)) {
            String problem = probe(candidate);
            if (problem == null) {
                Log.infof("trainer interpreter: %s", candidate);
                found = candidate;
                return candidate;
            }
            tried.add(candidate + " (" + problem + ")");
        }
        throw new CoordinatorException(CoordinatorException.Reason.DISPATCH_PERMANENT,
                "no Python interpreter can import torch and numpy; tried " + String.join(", ", tried)
                        + ". Install them (" + INSTALL_HINT + ") or set mmed.coordinator.local.python");
    }

    /** Null when {@code python} imports torch and numpy, else what went wrong. */
    static String probe(String python) {
        Process process;
        try {
            process = new ProcessBuilder(python, "-c", "import torch, numpy").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return "cannot run: " + e.getMessage();
        }
        try {
            if (!process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "no answer in " + PROBE_SECONDS + "s";
            }
            return process.exitValue() == 0 ? null : "cannot import torch and numpy";
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
