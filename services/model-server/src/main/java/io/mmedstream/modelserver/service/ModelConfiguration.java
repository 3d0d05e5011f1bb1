package io.mmedstream.modelserver.service;

import java.util.Optional;
import java.util.Set;

import io.mmedstream.modelserver.domain.TensorContract;

/**
 * What this server takes from a model's configuration ({@code config.pbtxt}, or the JSON of a load request's
 * {@code config} parameter). Everything else Triton knows (instance groups, dynamic batching, ...) is accepted and
 * ignored.
 *
 * @param backend {@value #BACKEND} or {@value #VLLM_BACKEND} (the production template's, served here the same way)
 * @param decoupled {@code model_transaction_policy { decoupled }}, true unless set to false (the vLLM backend
 *     auto-completes it to true): responses stream through ModelStreamInfer, and ModelInfer is refused, as Triton does
 * @param maxContext {@code parameters { key: "max_context" }}: prompt + generated tokens; 0 = the model's own
 */
public record ModelConfiguration(String backend, VersionPolicy versionPolicy, boolean decoupled, int maxContext) {

    /** Backend name of this server's models. */
    public static final String BACKEND = "mmed-llama";
    /** Triton's vLLM backend: its model folders are served too (see README). */
    public static final String VLLM_BACKEND = "vllm";
    /** The one backend parameter read: context length in tokens. */
    public static final String MAX_CONTEXT_PARAMETER = "max_context";

    private static final Set<String> BACKENDS = Set.of(BACKEND, VLLM_BACKEND);

    /** Reads and checks a configuration for the model folder {@code modelName}. */
    public static ModelConfiguration from(ConfigNode config, String modelName, String source) {
        String name = config.string("name", "");
        if (!name.isEmpty() && !name.equals(modelName)) {
            throw ModelServerException.badModel(source + ": name '" + name + "' differs from the model folder '"
                    + modelName + "'");
        }
        String backend = config.string("backend", config.string("platform", ""));
        if (!BACKENDS.contains(backend)) {
            throw ModelServerException.badModel(source + ": backend '" + backend + "' is not served here (use '"
                    + BACKEND + "' or '" + VLLM_BACKEND + "')");
        }
        long maxBatch = config.integer("max_batch_size", 0, source);
        if (maxBatch != 0) {
            throw ModelServerException.badModel(source + ": max_batch_size must be 0 (one prompt per request, as the "
                    + "vLLM backend), got " + maxBatch);
        }
        for (ConfigNode input : config.nodes("input")) {
            checkTensor(input, true, source);
        }
        for (ConfigNode output : config.nodes("output")) {
            checkTensor(output, false, source);
        }
        // Decoupled unless the configuration says otherwise: the vLLM backend completes every configuration that
        // way, and this server's backend follows it.
        ConfigNode transaction = config.node("model_transaction_policy");
        boolean decoupled = transaction == null || transaction.bool("decoupled", true, source);
        long maxContext = parameter(config, MAX_CONTEXT_PARAMETER).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(0L);
        if (maxContext < 0 || maxContext > Integer.MAX_VALUE) {
            throw ModelServerException.badModel(source + ": parameter " + MAX_CONTEXT_PARAMETER
                    + " must be a positive number of tokens");
        }
        return new ModelConfiguration(backend, VersionPolicy.parse(config.node("version_policy"), source), decoupled,
                (int) maxContext);
    }

    /** A declared tensor must be one of the contract's, with its type: the server computes nothing else. */
    private static void checkTensor(ConfigNode tensor, boolean input, String source) {
        String name = tensor.string("name", "");
        var known = input ? TensorContract.input(name) : TensorContract.output(name);
        if (known.isEmpty()) {
            throw ModelServerException.badModel(source + ": " + (input ? "input" : "output") + " '" + name
                    + "' is not part of this server's tensor contract (see README)");
        }
        String type = tensor.string("data_type", "");
        if (!type.equals(known.get().configType())) {
            throw ModelServerException.badModel(source + ": " + name + " must have data_type "
                    + known.get().configType() + ", not '" + type + "'");
        }
    }

    /**
     * A {@code parameters} entry's string_value. Text format writes the map as repeated
     * {@code parameters { key: "k" value { string_value: "v" } }}; JSON as {@code "parameters": {"k": {...}}}.
     */
    private static Optional<String> parameter(ConfigNode config, String key) {
        for (ConfigNode p : config.nodes("parameters")) {
            if (p.has("key")) {
                if (key.equals(p.string("key", "")) && p.node("value") != null) {
                    return Optional.ofNullable(p.node("value").string("string_value", null));
                }
            } else if (p.node(key) != null) {
                return Optional.ofNullable(p.node(key).string("string_value", null));
            }
        }
        return Optional.empty();
    }
}
