package io.mmedstream.modelserver.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Checkpoints and expected outputs made by the PyTorch trainer ({@code src/test/python/make_fixture.py}). The script
 * runs once per version of itself (its SHA-256 names the output folder under {@code target/model-fixtures}), with
 * the first of {@code $MMED_PYTHON}, {@code python3}, {@code /usr/bin/python3} that can import torch; without one the
 * calling test is skipped with a message saying what to install.
 */
public final class TrainerFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path folder;

    private TrainerFixtures() {
    }

    /** The fixture folder: one sub-folder per variant and {@code expected.json}. */
    public static synchronized Path folder() throws Exception {
        if (folder != null) {
            return folder;
        }
        Path script = Path.of(System.getProperty("mmed.fixture-script", "src/test/python/make_fixture.py"));
        Path cache = Path.of(System.getProperty("mmed.fixture-cache", "target/model-fixtures"));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(script));
        Path out = cache.resolve(HexFormat.of().formatHex(digest).substring(0, 16));
        if (!Files.isRegularFile(out.resolve("expected.json"))) {
            String python = python();
            assumeTrue(python != null, "no python3 with PyTorch found (set MMED_PYTHON, or on Debian/Ubuntu: "
                    + "apt-get install python3-torch python3-numpy): the PyTorch parity tests are skipped");
            Path tmp = Files.createDirectories(cache).resolve(out.getFileName() + ".tmp");
            deleteTree(tmp);
            Process p = new ProcessBuilder(python, script.toString(), "--out", tmp.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("make_fixture.py failed:\n" + log);
            }
            deleteTree(out);
            Files.move(tmp, out);
        }
        folder = out;
        return out;
    }

    /** The expected values of one variant (see make_fixture.py). */
    public static JsonNode expected(String variant) throws Exception {
        return JSON.readTree(folder().resolve("expected.json").toFile()).get(variant);
    }

    private static String python() throws InterruptedException {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("MMED_PYTHON");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String candidate : candidates) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import torch, numpy").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException notThere) {
                // try the next interpreter
            }
        }
        return null;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
