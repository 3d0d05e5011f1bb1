package io.mmedstream.modelserver.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Triton-layout model repository on disk: {@code <root>/<model>/config.pbtxt} and numeric version folders
 * ({@code 1/}, {@code 2/}, ...; folders whose names are not numbers, or start with 0, are ignored). A version folder
 * is a trainer checkpoint (a Hugging Face Llama directory), or holds a vLLM-style {@code model.json} whose
 * {@code "model"} names the checkpoint directory (relative to the version folder, or absolute).
 *
 * <p>Read on every load, so models and versions added while the server runs are picked up by the next load.
 */
public final class ModelRepository {

    /** Triton's configuration file name. */
    public static final String CONFIG_FILE = "config.pbtxt";
    /** The vLLM backend's engine-arguments file inside a version folder. */
    public static final String VLLM_MODEL_JSON = "model.json";

    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A model ready to be loaded: its configuration and the checkpoint directory of each selected version.
     *
     * @param checkpoints version number to checkpoint directory, in version order
     */
    public record ModelDefinition(String name, ModelConfiguration configuration, SortedMap<Long, Path> checkpoints) {
    }

    private final Path root;

    public ModelRepository(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Whether the repository folder exists and can be listed. */
    public boolean isReadable() {
        return Files.isDirectory(root) && Files.isReadable(root);
    }

    /** Names of the model folders, sorted. */
    public List<String> modelNames() {
        if (!isReadable()) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> MODEL_NAME.matcher(n).matches() && !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new ModelServerException(ModelServerException.Reason.INTERNAL, "cannot list the model repository "
                    + root + ": " + e.getMessage(), e);
        }
    }

    /** Whether a model folder of that name exists. */
    public boolean contains(String name) {
        return isValidName(name) && Files.isDirectory(root.resolve(name));
    }

    /** Whether a name can be a model folder name (no path separators, no dot-dot). */
    public static boolean isValidName(String name) {
        return name != null && MODEL_NAME.matcher(name).matches() && !name.startsWith(".");
    }

    /** Numeric version folders of a model, ascending. */
    public SortedSet<Long> versions(String name) {
        SortedSet<Long> out = new TreeSet<>();
        try (Stream<Path> children = Files.list(root.resolve(name))) {
            children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> VERSION.matcher(n).matches()).forEach(n -> out.add(Long.parseLong(n)));
        } catch (IOException e) {
            throw ModelServerException.badModel("cannot list model folder " + root.resolve(name) + ": "
                    + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Reads a model's configuration (the override when given, else config.pbtxt), applies its version policy and
     * finds each selected version's checkpoint.
     *
     * @param configJson the JSON configuration of a load request's {@code config} parameter; null for config.pbtxt
     */
    public ModelDefinition define(String name, String configJson) {
        if (!contains(name)) {
            throw new ModelServerException(ModelServerException.Reason.MODEL_NOT_FOUND,
                    "no model '" + name + "' in the model repository " + root);
        }
        Path dir = root.resolve(name);
        ConfigNode config;
        String source;
        if (configJson != null) {
            source = "config override of '" + name + "'";
            try {
                config = ConfigNode.fromJson(JSON.readTree(configJson), source);
            } catch (IOException e) {
                throw ModelServerException.badModel(source + " is not JSON: " + e.getMessage(), e);
            }
        } else {
            Path file = dir.resolve(CONFIG_FILE);
            source = file.toString();
            if (!Files.isRegularFile(file)) {
                throw ModelServerException.badModel("model '" + name + "' has no " + CONFIG_FILE
                        + " (and the load request carried no config)");
            }
            try {
                config = ConfigNode.parseText(Files.readString(file, StandardCharsets.UTF_8), source);
            } catch (IOException e) {
                throw ModelServerException.badModel("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        ModelConfiguration configuration = ModelConfiguration.from(config, name, source);
        SortedSet<Long> available = versions(name);
        SortedSet<Long> selected = configuration.versionPolicy().select(available);
        List<Long> missing = new ArrayList<>(selected);
        missing.removeAll(available);
        if (!missing.isEmpty()) {
            throw ModelServerException.badModel("model '" + name + "': version_policy asks for version(s) " + missing
                    + ", which have no folder (present: " + available + ")");
        }
        if (selected.isEmpty()) {
            throw ModelServerException.badModel("model '" + name + "' has no version folder (1/, 2/, ...)");
        }
        SortedMap<Long, Path> checkpoints = new TreeMap<>();
        for (long v : selected) {
            checkpoints.put(v, checkpointDir(dir.resolve(Long.toString(v))));
        }
        return new ModelDefinition(name, configuration, checkpoints);
    }

    /** The version folder itself, or the directory its model.json names. */
    static Path checkpointDir(Path versionDir) {
        Path modelJson = versionDir.resolve(VLLM_MODEL_JSON);
        if (!Files.isRegularFile(modelJson)) {
            return versionDir;
        }
        JsonNode args;
        try {
            args = JSON.readTree(modelJson.toFile());
        } catch (IOException e) {
            throw ModelServerException.badModel(modelJson + " is not JSON: " + e.getMessage(), e);
        }
        String model = args.path("model").asText("");
        if (model.isEmpty()) {
            throw ModelServerException.badModel(modelJson + " names no \"model\"");
        }
        Path target = versionDir.resolve(model).normalize();
        if (!Files.isDirectory(target)) {
            throw ModelServerException.badModel(modelJson + ": \"model\" is '" + model + "', which is not a local "
                    + "checkpoint directory (this server reads local checkpoints only and downloads nothing)");
        }
        return target;
    }
}
