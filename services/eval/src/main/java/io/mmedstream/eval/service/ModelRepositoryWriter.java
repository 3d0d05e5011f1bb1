package io.mmedstream.eval.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Makes a trainer checkpoint available to the serving backend: adds it as a numeric version of a model in a
 * Triton-layout model repository ({@code <repo>/<model>/config.pbtxt} + version folders). The version folder holds
 * the vLLM backend's {@code model.json} whose {@code "model"} names the checkpoint directory (absolute), so nothing is
 * copied; the local model server and Triton's vLLM backend both read it. Idempotent: a checkpoint that already has a
 * version keeps it (a restart re-evaluating a checkpoint does not add a second version). {@link #stageCandidate}
 * gives the candidate model exactly one version, the one being measured. Plain Java.
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
    private final ObjectNode engineArgs;

    public ModelRepositoryWriter(Path repository) {
        this(repository, JSON.createObjectNode());
    }

    /**
     * @param engineArgs written into every {@code model.json} next to {@code "model"}: the vLLM engine arguments of
     *                   the versions eval adds (e.g. {@code gpu_memory_utilization}, so that the serving versions and
     *                   the candidate fit one GPU together); the local model server ignores them
     */
    public ModelRepositoryWriter(Path repository, ObjectNode engineArgs) {
        if (engineArgs.has("model")) {
            throw new IllegalArgumentException("engine arguments must not set \"model\": eval writes it (the checkpoint"
                    + " directory)");
        }
        this.repository = repository;
        this.engineArgs = engineArgs.deepCopy();
    }

    /**
     * Parses engine arguments as configured: a JSON object, or blank for none.
     *
     * @throws IllegalArgumentException naming the problem when it is not a JSON object
     */
    public static ObjectNode parseEngineArgs(String json) {
        if (json == null || json.isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("engine arguments are not JSON: " + e.getMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("engine arguments must be a JSON object, e.g. "
                    + "{\"gpu_memory_utilization\": 0.28}; got " + json);
        }
        return object;
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
            createModelDir(modelDir);
            Optional<Existing> existing = versionOf(modelDir, target);
            if (existing.isPresent()) {
                refreshModelJson(modelDir.resolve(Integer.toString(existing.get().version())),
                        existing.get().modelJson());
                return Integer.toString(existing.get().version());
            }
            int next = versions(modelDir).max().orElse(0) + 1;
            writeVersion(modelDir, Integer.toString(next), target);
            return Integer.toString(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add " + checkpointDir + " to " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code version} (pointing at {@code checkpointDir}) the only version folder of {@code candidateModel}:
     * other version folders are removed (only the candidate being measured belongs there; the serving model's
     * folders are untouched).
     */
    public synchronized void stageCandidate(String candidateModel, String version, Path checkpointDir) {
        Path target = checkpointDir.toAbsolutePath().normalize();
        Path modelDir = repository.resolve(candidateModel);
        try {
            createModelDir(modelDir);
            for (int v : listNumeric(modelDir)) {
                if (!Integer.toString(v).equals(version)) {
                    deleteVersion(modelDir.resolve(Integer.toString(v)));
                }
            }
            writeVersion(modelDir, version, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + checkpointDir + " as " + modelDir + "/" + version + ": "
                    + e.getMessage(), e);
        }
    }

    /** The model's folder, with a config.pbtxt when it has none. */
    private static void createModelDir(Path modelDir) throws IOException {
        Files.createDirectories(modelDir);
        Path config = modelDir.resolve("config.pbtxt");
        if (!Files.exists(config)) {
            Files.writeString(config, DEFAULT_CONFIG, StandardCharsets.UTF_8);
        }
    }

    /**
     * Sets the configured engine arguments in an existing version's model.json when they changed since it was
     * written (e.g. a lower gpu_memory_utilization), so that its next load uses them; other keys (a version written
     * by hand) stay. Replaced in one atomic move.
     */
    private void refreshModelJson(Path versionDir, ObjectNode current) throws IOException {
        Path file = versionDir.resolve("model.json");
        ObjectNode wanted = current.deepCopy();
        wanted.setAll(engineArgs);
        if (wanted.equals(current)) {
            return;
        }
        Path tmp = versionDir.resolve(".model.json.tmp");
        Files.writeString(tmp, wanted.toPrettyString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private ObjectNode modelJson(Path target) {
        ObjectNode modelJson = JSON.createObjectNode().put("model", target.toString());
        modelJson.setAll(engineArgs);
        return modelJson;
    }

    /** Writes {@code <modelDir>/<version>/model.json} whole or not at all (replacing what was there). */
    private void writeVersion(Path modelDir, String version, Path target) throws IOException {
        Path versionDir = modelDir.resolve(version);
        Path tmp = modelDir.resolve(".tmp-" + version);
        deleteVersion(tmp);
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve("model.json"), modelJson(target).toPrettyString(), StandardCharsets.UTF_8);
        deleteVersion(versionDir);
        Files.move(tmp, versionDir); // whole or absent: the backend never sees a half-written version
    }

    private static void deleteVersion(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A version already pointing at a checkpoint, with its model.json as read. */
    private record Existing(int version, ObjectNode modelJson) {
    }

    private static Optional<Existing> versionOf(Path modelDir, Path target) throws IOException {
        for (int v : versions(modelDir).toArray()) {
            Path modelJson = modelDir.resolve(Integer.toString(v)).resolve("model.json");
            if (Files.isRegularFile(modelJson) && JSON.readTree(modelJson.toFile()) instanceof ObjectNode json) {
                JsonNode node = json.path("model");
                if (node.isTextual() && modelDir.resolve(Integer.toString(v)).resolve(node.asText())
                        .toAbsolutePath().normalize().equals(target)) {
                    return Optional.of(new Existing(v, json));
                }
            }
        }
        return Optional.empty();
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
