package io.mmedstream.eval.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Makes a trainer checkpoint available to the serving backend: adds it as a numeric version of a model in a
 * Triton-layout model repository ({@code <repo>/<model>/config.pbtxt} + version folders). The version folder holds
 * the vLLM backend's {@code model.json} whose {@code "model"} names the checkpoint directory (absolute), so nothing is
 * copied; the local model server and Triton's vLLM backend both read it. Idempotent: a checkpoint that already has a
 * version keeps it (a restart re-evaluating a checkpoint does not add a second version). Plain Java.
 */
public final class ModelRepositoryWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The config.pbtxt written when the model has none: the local model server's backend, streaming. */
    static final String DEFAULT_CONFIG = """
            backend: "mmed-llama"
            max_batch_size: 0
            model_transaction_policy { decoupled: true }
            version_policy: { latest: { num_versions: 1 } }
            """;

    private final Path repository;

    public ModelRepositoryWriter(Path repository) {
        this.repository = repository;
    }

    /**
     * Adds the checkpoint as the next version of {@code model} (or finds the version that already points at it).
     *
     * @return the version folder name
     */
    public synchronized String addVersion(String model, Path checkpointDir) {
        if (!Files.isDirectory(checkpointDir)) {
            throw new IllegalArgumentException("checkpoint directory " + checkpointDir + " does not exist");
        }
        Path target = checkpointDir.toAbsolutePath().normalize();
        Path modelDir = repository.resolve(model);
        try {
            Files.createDirectories(modelDir);
            Path config = modelDir.resolve("config.pbtxt");
            if (!Files.exists(config)) {
                Files.writeString(config, DEFAULT_CONFIG, StandardCharsets.UTF_8);
            }
            OptionalInt existing = versionOf(modelDir, target);
            if (existing.isPresent()) {
                return Integer.toString(existing.getAsInt());
            }
            int next = versions(modelDir).max().orElse(0) + 1;
            Path versionDir = modelDir.resolve(Integer.toString(next));
            Path tmp = modelDir.resolve(".tmp-" + next);
            Files.createDirectories(tmp);
            Files.writeString(tmp.resolve("model.json"), JSON.createObjectNode().put("model", target.toString())
                    .toPrettyString(), StandardCharsets.UTF_8);
            Files.move(tmp, versionDir); // whole or absent: the backend never sees a half-written version
            return Integer.toString(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add " + checkpointDir + " to " + modelDir + ": " + e.getMessage(), e);
        }
    }

    private static OptionalInt versionOf(Path modelDir, Path target) throws IOException {
        for (int v : versions(modelDir).toArray()) {
            Path modelJson = modelDir.resolve(Integer.toString(v)).resolve("model.json");
            if (Files.isRegularFile(modelJson)) {
                JsonNode node = JSON.readTree(modelJson.toFile()).path("model");
                if (node.isTextual() && modelDir.resolve(Integer.toString(v)).resolve(node.asText())
                        .toAbsolutePath().normalize().equals(target)) {
                    return OptionalInt.of(v);
                }
            }
        }
        return OptionalInt.empty();
    }

    /** Numeric version folders, as Triton counts them (no leading zero). */
    private static java.util.stream.IntStream versions(Path modelDir) throws IOException {
        return java.util.stream.IntStream.of(listNumeric(modelDir));
    }

    private static int[] listNumeric(Path modelDir) throws IOException {
        try (Stream<Path> children = Files.list(modelDir)) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[1-9][0-9]{0,8}")).mapToInt(Integer::parseInt).sorted().toArray();
        }
    }
}
