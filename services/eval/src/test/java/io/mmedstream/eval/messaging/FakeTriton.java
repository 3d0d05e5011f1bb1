package io.mmedstream.eval.messaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mmedstream.proto.triton.GRPCInferenceServiceGrpc;
import io.mmedstream.proto.triton.InferParameter;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.proto.triton.RepositoryModelLoadRequest;
import io.mmedstream.proto.triton.RepositoryModelLoadResponse;
import io.mmedstream.proto.triton.RepositoryModelUnloadRequest;
import io.mmedstream.proto.triton.RepositoryModelUnloadResponse;
import io.mmedstream.triton.client.TritonTensors;

/**
 * A test double of the external Triton server (KServe v2 gRPC, the vLLM backend's tensor contract): explicit model
 * control from the Triton-layout model repository, and a "model" whose output is fixed per checkpoint: the text of
 * {@code fixed-output.txt} in the checkpoint directory that the version's {@code model.json} names. A checkpoint
 * directory with a {@code refuse-load.txt} is refused at load (INVALID_ARGUMENT with that file's text, as a backend
 * refuses corrupt weights). It checks the requests it gets (loaded version, tensors, the exact prompt frame) and
 * fails the call otherwise.
 */
final class FakeTriton extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path repository;
    /** model -> versions loaded. */
    final Map<String, Set<String>> loaded = new ConcurrentHashMap<>();
    /** The load configurations received, in order. */
    final List<String> loads = new CopyOnWriteArrayList<>();
    /** Loads refused because of {@code refuse-load.txt}. */
    final java.util.concurrent.atomic.AtomicInteger refusedLoads = new java.util.concurrent.atomic.AtomicInteger();
    /** The models unloaded, in order. */
    final List<String> unloads = new CopyOnWriteArrayList<>();
    /** Failures the fake saw in requests (a correct client causes none). */
    final List<String> problems = new CopyOnWriteArrayList<>();

    FakeTriton(Path repository) {
        this.repository = repository;
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request,
                                    StreamObserver<RepositoryModelLoadResponse> out) {
        try {
            String config = request.getParametersMap().get("config").getStringParam();
            loads.add(request.getModelName() + " " + config);
            JsonNode versions = JSON.readTree(config).path("version_policy").path("specific").path("versions");
            Set<String> set = ConcurrentHashMap.newKeySet();
            for (JsonNode v : versions) {
                String version = v.asText();
                Path modelJson = repository.resolve(request.getModelName()).resolve(version).resolve("model.json");
                if (!Files.isRegularFile(modelJson)) {
                    out.onError(Status.INVALID_ARGUMENT.withDescription("no version " + version).asException());
                    return;
                }
                Path refusal = Path.of(JSON.readTree(modelJson.toFile()).path("model").asText())
                        .resolve("refuse-load.txt");
                if (Files.isRegularFile(refusal)) {
                    refusedLoads.incrementAndGet();
                    out.onError(Status.INVALID_ARGUMENT.withDescription("failed to load '" + request.getModelName()
                            + "' version " + version + ": " + Files.readString(refusal)).asException());
                    return;
                }
                set.add(version);
            }
            loaded.put(request.getModelName(), set);
            out.onNext(RepositoryModelLoadResponse.getDefaultInstance());
            out.onCompleted();
        } catch (IOException | RuntimeException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.toString()).asException());
        }
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
                                      StreamObserver<RepositoryModelUnloadResponse> out) {
        unloads.add(request.getModelName());
        loaded.remove(request.getModelName());
        out.onNext(RepositoryModelUnloadResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ModelInferRequest request) {
                synchronized (out) {
                    out.onNext(answer(request));
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                synchronized (out) {
                    out.onCompleted();
                }
            }
        };
    }

    private ModelStreamInferResponse answer(ModelInferRequest request) {
        try {
            String model = request.getModelName();
            String version = request.getModelVersion();
            if (!loaded.getOrDefault(model, Set.of()).contains(version)) {
                return error("version " + version + " of " + model + " is not loaded");
            }
            String prompt = null;
            boolean stream = false;
            String sampling = null;
            for (int i = 0; i < request.getInputsCount(); i++) {
                ByteString raw = request.getRawInputContents(i);
                switch (request.getInputs(i).getName()) {
                    case "text_input" -> prompt = new String(TritonTensors.parseBytesRaw(raw).get(0),
                            StandardCharsets.UTF_8);
                    case "stream" -> stream = raw.byteAt(0) != 0;
                    case "sampling_parameters" -> sampling = new String(TritonTensors.parseBytesRaw(raw).get(0),
                            StandardCharsets.UTF_8);
                    default -> {
                    }
                }
            }
            if (prompt == null || !prompt.startsWith("Below is an instruction that describes a task")
                    || !prompt.contains("###Question: ") || !prompt.contains("###Options: ")) {
                return error("text_input is not the MMedBench prompt: " + prompt);
            }
            if (!stream || sampling == null || !JSON.readTree(sampling).path("max_tokens").isInt()) {
                return error("expected stream=true and sampling_parameters with max_tokens, got " + sampling);
            }
            JsonNode modelJson = JSON.readTree(repository.resolve(model).resolve(version).resolve("model.json")
                    .toFile());
            String output = Files.readString(Path.of(modelJson.path("model").asText()).resolve("fixed-output.txt"));
            return ModelStreamInferResponse.newBuilder().setInferResponse(ModelInferResponse.newBuilder()
                    .setModelName(model).setModelVersion(version).setId(request.getId())
                    .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("text_output")
                            .setDatatype("BYTES").addShape(1))
                    .addRawOutputContents(TritonTensors.stringRaw(output))
                    .putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(true).build()))
                    .build();
        } catch (IOException | RuntimeException e) {
            return error(e.toString());
        }
    }

    private ModelStreamInferResponse error(String message) {
        problems.add(message);
        return ModelStreamInferResponse.newBuilder().setErrorMessage(message).setInferResponse(ModelInferResponse
                .newBuilder().putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(true)
                        .build())).build();
    }
}
