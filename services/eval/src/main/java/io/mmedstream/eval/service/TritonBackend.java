package io.mmedstream.eval.service;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mmedstream.triton.client.SamplingParams;
import io.mmedstream.triton.client.TritonClient;

/**
 * {@link ServingBackend} over KServe v2 gRPC with {@link TritonClient}: loads with a {@code config} override that
 * names the versions to serve ({@code version_policy.specific}, so the serving version keeps serving while a
 * candidate is measured), generates greedily through ModelStreamInfer with the vLLM backend's tensor contract.
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
    public void serve(String model, List<String> versions) {
        client.load(model, loadConfig(modelBackend, versions));
    }

    /** The configuration JSON a load carries (protobuf's JSON form of config.pbtxt). */
    static String loadConfig(String backend, List<String> versions) {
        ObjectNode config = JSON.createObjectNode().put("backend", backend).put("max_batch_size", 0);
        config.putObject("model_transaction_policy").put("decoupled", true);
        ArrayNode list = config.putObject("version_policy").putObject("specific").putArray("versions");
        versions.stream().distinct().forEach(v -> list.add(Long.parseLong(v)));
        return config.toString();
    }

    @Override
    public String generate(String model, String version, String prompt) {
        return TritonClient.await(client.generate(model, version, prompt, SamplingParams.greedy(maxTokens),
                chunk -> { })).text();
    }
}
