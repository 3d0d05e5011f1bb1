package io.mmedstream.inference.tools;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mmedstream.proto.triton.GRPCInferenceServiceGrpc;
import io.mmedstream.proto.triton.InferParameter;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelReadyRequest;
import io.mmedstream.proto.triton.ModelReadyResponse;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.proto.triton.RepositoryIndexRequest;
import io.mmedstream.proto.triton.RepositoryIndexResponse;
import io.mmedstream.proto.triton.RepositoryModelLoadRequest;
import io.mmedstream.proto.triton.RepositoryModelLoadResponse;
import io.mmedstream.proto.triton.RepositoryModelUnloadRequest;
import io.mmedstream.proto.triton.RepositoryModelUnloadResponse;
import io.mmedstream.proto.triton.ServerLiveRequest;
import io.mmedstream.proto.triton.ServerLiveResponse;
import io.mmedstream.proto.triton.ServerReadyRequest;
import io.mmedstream.proto.triton.ServerReadyResponse;
import io.mmedstream.triton.client.TritonTensors;

/**
 * A KServe v2 (Triton) gRPC backend whose "model" answers at once: a deterministic, nearly free function of the
 * prompt, streamed one word per response with the vLLM backend's tensors ({@code text_output}, {@code finish_reason},
 * {@code num_input_tokens}, {@code num_output_tokens}, {@code triton_final_response}). It exists to measure what the
 * inference service adds to a call (the generation time of a real model would hide it) and to give the tools a
 * backend with nothing else running. Not a model: never serve users from it.
 *
 * <p>Explicit model control like Triton's: a load carries the versions to serve in its {@code config} override
 * ({@code version_policy.specific.versions}); without one the model's {@code defaultVersions} load. Words: a question
 * in MMedBench's prompt format gets {@code ###Answer: OPTION X IS CORRECT.} with X chosen by a hash of the prompt
 * among its options; any other prompt gets {@code max_tokens} words drawn by a hash of the prompt.
 */
public final class InstantTritonBackend extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {"fever", "cough", "rest", "fluids", "review", "in", "two", "days", "if",
        "worse", "the", "patient", "should", "see", "a", "doctor"};
    private static final Pattern OPTION = Pattern.compile("(?:^|\\s)([A-Z])\\. ");

    private final Map<String, Set<Long>> defaultVersions;
    private final Map<String, Set<Long>> loaded = new ConcurrentHashMap<>();
    private volatile long tokenDelayNanos;
    private volatile ScheduledExecutorService timer;

    /** A backend whose repository holds these models and versions, none loaded. */
    public InstantTritonBackend(Map<String, ? extends Set<Long>> repository) {
        this.defaultVersions = Map.copyOf(repository);
    }

    /**
     * Makes each word take this long, as a model's per-token time would (0, the default: instant). Words are sent
     * by a timer, so no thread waits.
     */
    public InstantTritonBackend withTokenDelay(Duration perToken) {
        this.tokenDelayNanos = perToken.toNanos();
        if (tokenDelayNanos > 0 && timer == null) {
            timer = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "instant-backend-timer");
                t.setDaemon(true);
                return t;
            });
        }
        return this;
    }

    /** Loads versions now (as a start-up {@code --load-model} would). */
    public InstantTritonBackend load(String model, long... versions) {
        Set<Long> set = new TreeSet<>();
        for (long v : versions) {
            set.add(v);
        }
        loaded.put(model, set);
        return this;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
        out.onCompleted();
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        out.onNext(ServerReadyResponse.newBuilder().setReady(true).build());
        out.onCompleted();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        out.onNext(ModelReadyResponse.newBuilder().setReady(isReady(request.getName(), request.getVersion()))
                .build());
        out.onCompleted();
    }

    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
        RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
        loaded.forEach((model, versions) -> versions.forEach(v -> b.addModels(RepositoryIndexResponse.ModelIndex
                .newBuilder().setName(model).setVersion(Long.toString(v)).setState("READY"))));
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request,
                                    StreamObserver<RepositoryModelLoadResponse> out) {
        String model = request.getModelName();
        Set<Long> available = defaultVersions.get(model);
        if (available == null) {
            out.onError(Status.NOT_FOUND.withDescription("no model '" + model + "' in the repository")
                    .asRuntimeException());
            return;
        }
        // Without an override: the latest version, as Triton's default version policy.
        Set<Long> versions = new TreeSet<>();
        if (!available.isEmpty()) {
            versions.add(new TreeSet<>(available).last());
        }
        var config = request.getParametersMap().get("config");
        if (config != null) {
            try {
                JsonNode list = JSON.readTree(config.getStringParam()).path("version_policy").path("specific")
                        .path("versions");
                if (list.isArray()) {
                    versions.clear();
                    list.forEach(v -> versions.add(v.asLong()));
                }
            } catch (java.io.IOException e) {
                out.onError(Status.INVALID_ARGUMENT.withDescription("config is not JSON").asRuntimeException());
                return;
            }
        }
        if (!available.containsAll(versions)) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("model '" + model + "' has versions " + available
                    + ", asked for " + versions).asRuntimeException());
            return;
        }
        loaded.put(model, versions);
        out.onNext(RepositoryModelLoadResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
                                      StreamObserver<RepositoryModelUnloadResponse> out) {
        loaded.remove(request.getModelName());
        out.onNext(RepositoryModelUnloadResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        try {
            Generated g = answer(request);
            out.onNext(response(request, String.join("", g.words()), g));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Status.fromThrowable(e).asRuntimeException());
        }
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ModelInferRequest request) {
                try {
                    Generated g = answer(request);
                    long delay = tokenDelayNanos;
                    if (delay > 0) {
                        // One word per step, each step scheduling the next: the timer has several threads, and
                        // words scheduled independently could overtake one another (or the final response).
                        timer.schedule(() -> step(out, request, g, 0, delay), delay, TimeUnit.NANOSECONDS);
                        return;
                    }
                    for (String w : g.words()) {
                        out.onNext(ModelStreamInferResponse.newBuilder().setInferResponse(
                                chunk(request, w)).build());
                    }
                    out.onNext(ModelStreamInferResponse.newBuilder().setInferResponse(
                            response(request, "", g)).build());
                } catch (RuntimeException e) {
                    out.onNext(ModelStreamInferResponse.newBuilder().setErrorMessage(String.valueOf(e.getMessage()))
                            .build());
                }
            }

            @Override
            public void onError(Throwable t) {
                // the client went away: nothing is running
            }

            @Override
            public void onCompleted() {
                if (tokenDelayNanos == 0) {
                    out.onCompleted(); // with a delay, the timer completes the stream after the final response
                }
            }
        };
    }

    /** Sends word {@code i}, then schedules the next one, or ends the stream after the last. */
    private void step(StreamObserver<ModelStreamInferResponse> out, ModelInferRequest request, Generated g, int i,
                      long delay) {
        if (i < g.words().size()) {
            send(out, chunk(request, g.words().get(i)));
        }
        if (i + 1 < g.words().size()) {
            timer.schedule(() -> step(out, request, g, i + 1, delay), delay, TimeUnit.NANOSECONDS);
            return;
        }
        send(out, response(request, "", g));
        synchronized (out) {
            try {
                out.onCompleted();
            } catch (RuntimeException e) {
                // cancelled meanwhile
            }
        }
    }

    private static void send(StreamObserver<ModelStreamInferResponse> out, ModelInferResponse response) {
        synchronized (out) {
            try {
                out.onNext(ModelStreamInferResponse.newBuilder().setInferResponse(response).build());
            } catch (RuntimeException e) {
                // the call was cancelled: nobody to send to
            }
        }
    }

    private boolean isReady(String model, String version) {
        Set<Long> versions = loaded.get(model);
        if (versions == null || versions.isEmpty()) {
            return false;
        }
        try {
            return version.isEmpty() || versions.contains(Long.parseLong(version));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** What a request generates: its words (tokens), the prompt's word count, and why it stopped. */
    private record Generated(List<String> words, int promptTokens, String finishReason) {
    }

    private Generated answer(ModelInferRequest request) {
        if (!isReady(request.getModelName(), request.getModelVersion())) {
            throw Status.UNAVAILABLE.withDescription("model '" + request.getModelName() + "' version '"
                    + request.getModelVersion() + "' is not loaded").asRuntimeException();
        }
        String prompt = "";
        int maxTokens = 16;
        for (int i = 0; i < request.getInputsCount(); i++) {
            String name = request.getInputs(i).getName();
            if (name.equals("text_input")) {
                prompt = new String(TritonTensors.parseBytesRaw(request.getRawInputContents(i)).get(0),
                        StandardCharsets.UTF_8);
            } else if (name.equals("sampling_parameters")) {
                try {
                    maxTokens = JSON.readTree(TritonTensors.parseBytesRaw(request.getRawInputContents(i)).get(0))
                            .path("max_tokens").asInt(16);
                } catch (java.io.IOException e) {
                    throw Status.INVALID_ARGUMENT.withDescription("sampling_parameters is not JSON")
                            .asRuntimeException();
                }
            }
        }
        int hash = prompt.hashCode();
        int promptTokens = prompt.isBlank() ? 0 : prompt.strip().split("\\s+").length;
        List<String> words = new ArrayList<>();
        int options = prompt.indexOf("###Options:");
        if (options >= 0) {
            List<String> keys = new ArrayList<>();
            Matcher m = OPTION.matcher(prompt.substring(options + "###Options:".length()));
            while (m.find()) {
                keys.add(m.group(1));
            }
            String key = keys.isEmpty() ? "A" : keys.get(Math.floorMod(hash, keys.size()));
            String[] all = ("###Answer: OPTION " + key + " IS CORRECT.").split("(?<= )");
            for (int i = 0; i < all.length && i < maxTokens; i++) {
                words.add(all[i]);
            }
            return new Generated(words, promptTokens, all.length > maxTokens ? "length" : "stop");
        }
        for (int i = 0; i < maxTokens; i++) {
            words.add((i == 0 ? "" : " ") + WORDS[Math.floorMod(hash * 31 + i * 17, WORDS.length)]);
        }
        return new Generated(words, promptTokens, "length");
    }

    private static ModelInferResponse chunk(ModelInferRequest request, String text) {
        return ModelInferResponse.newBuilder().setModelName(request.getModelName())
                .setModelVersion(request.getModelVersion()).setId(request.getId())
                .putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(false).build())
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("text_output")
                        .setDatatype("BYTES").addShape(1))
                .addRawOutputContents(TritonTensors.stringRaw(text)).build();
    }

    /** The final response: the rest of the text, the finish reason and the counts. */
    private static ModelInferResponse response(ModelInferRequest request, String text, Generated g) {
        return ModelInferResponse.newBuilder().setModelName(request.getModelName())
                .setModelVersion(request.getModelVersion()).setId(request.getId())
                .putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(true).build())
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("text_output")
                        .setDatatype("BYTES").addShape(1))
                .addRawOutputContents(TritonTensors.stringRaw(text))
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("finish_reason")
                        .setDatatype("BYTES").addShape(1))
                .addRawOutputContents(TritonTensors.stringRaw(g.finishReason()))
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("num_input_tokens")
                        .setDatatype("UINT32").addShape(1))
                .addRawOutputContents(TritonTensors.uint32Raw(g.promptTokens()))
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("num_output_tokens")
                        .setDatatype("UINT32").addShape(1))
                .addRawOutputContents(TritonTensors.uint32Raw(g.words().size()))
                .build();
    }
}
