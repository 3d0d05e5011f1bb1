package io.mmedstream.eval.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mmedstream.triton.client.SamplingParams;
import io.mmedstream.triton.client.TritonClient;

/**
 * {@link ServingBackend} over KServe v2 gRPC with {@link TritonClient}: loads with a {@code config} override that
 * names the one version to serve ({@code version_policy.specific}), unloads, and generates greedily through
 * ModelStreamInfer with the vLLM backend's tensor contract.
 */
public final class TritonBackend implements ServingBackend {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TritonClient client;
    private final String modelBackend;
    private final int maxTokens;

    /**
     * @param modelBackend the {@code backend} of the model configuration ({@code mmed-llama} locally, {@code vllm}
     *                     on Triton)
     * @param maxTokens    token limit of each answer
     */
    public TritonBackend(TritonClient client, String modelBackend, int maxTokens) {
        this.client = client;
        this.modelBackend = modelBackend;
        this.maxTokens = maxTokens;
    }

    @Override
    public void serve(String model, String version) {
        client.load(model, loadConfig(modelBackend, version));
    }

    @Override
    public void release(String model) {
        client.unload(model);
    }

    /** The configuration JSON a load carries (protobuf's JSON form of config.pbtxt). */
    static String loadConfig(String backend, String version) {
        ObjectNode config = JSON.createObjectNode().put("backend", backend).put("max_batch_size", 0);
        config.putObject("model_transaction_policy").put("decoupled", true);
        ArrayNode list = config.putObject("version_policy").putObject("specific").putArray("versions");
        list.add(Long.parseLong(version));
        return config.toString();
    }

    @Override
    public String generate(String model, String version, String prompt) {
        return TritonClient.await(client.generate(model, version, prompt, SamplingParams.greedy(maxTokens),
                chunk -> { })).text();
    }
}
