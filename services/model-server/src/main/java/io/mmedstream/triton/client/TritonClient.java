package io.mmedstream.triton.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.mmedstream.proto.triton.GRPCInferenceServiceGrpc;
import io.mmedstream.proto.triton.InferParameter;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelReadyRequest;
import io.mmedstream.proto.triton.ModelRepositoryParameter;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.proto.triton.RepositoryIndexRequest;
import io.mmedstream.proto.triton.RepositoryModelLoadRequest;
import io.mmedstream.proto.triton.RepositoryModelUnloadRequest;
import io.mmedstream.proto.triton.ServerLiveRequest;
import io.mmedstream.proto.triton.ServerReadyRequest;

/**
 * A client of a Triton Inference Server (or of this project's local model server) over KServe v2 gRPC, for LLMs
 * served with the vLLM backend's tensor contract: {@code text_input}, {@code stream}, {@code sampling_parameters},
 * {@code exclude_input_in_output} (and the {@code return_*} flags for token counts) in; {@code text_output} out.
 *
 * <ul>
 * <li>{@link #generate} streams through ModelStreamInfer, hands each text chunk to a callback and completes on the
 *     response flagged {@code triton_final_response}; cancelling the returned future cancels the call, so the server
 *     stops generating.</li>
 * <li>{@link #infer} is one ModelInfer call (for models that are not decoupled; Triton refuses ModelInfer on decoupled
 *     models such as vLLM's, use {@link #generate} there).</li>
 * <li>{@link #load}, {@link #unload}, {@link #ready}, {@link #index}: explicit model control.</li>
 * </ul>
 * Every call has a deadline; inbound messages may be as large as Triton allows (INT32_MAX), which grpc-java does not
 * accept by default. Failures are {@link TritonException}s carrying the gRPC status code. Thread-safe.
 */
public final class TritonClient implements AutoCloseable {

    /** Deadlines of the client's calls. */
    public record Deadlines(Duration call, Duration generation, Duration load) {

        /** 10 s for health and control calls, 10 min for a generation, 10 min for a load. */
        public static Deadlines defaults() {
            return new Deadlines(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofMinutes(10));
        }
    }

    private static final String TEXT_INPUT = "text_input";
    private static final String TEXT_OUTPUT = "text_output";
    private static final String FINAL_RESPONSE = "triton_final_response";

    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final Deadlines deadlines;
    private final boolean requestUsage;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub async;
    private final AtomicLong ids = new AtomicLong();

    /**
     * A client over an existing channel (which must allow large inbound messages; see {@link #connect}).
     *
     * @param requestUsage ask for token counts and the finish reason ({@code return_num_input_tokens},
     *     {@code return_num_output_tokens}, {@code return_finish_reason}: vLLM backends of 2024 and later); without
     *     them the result's counts are -1
     * @param ownsChannel shut the channel down on {@link #close()}
     */
    public TritonClient(ManagedChannel channel, Deadlines deadlines, boolean requestUsage, boolean ownsChannel) {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.deadlines = deadlines;
        this.requestUsage = requestUsage;
        this.blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel).withMaxInboundMessageSize(Integer.MAX_VALUE);
        this.async = GRPCInferenceServiceGrpc.newStub(channel).withMaxInboundMessageSize(Integer.MAX_VALUE);
    }

    /** A plaintext connection to {@code host:port} (Triton's gRPC port is 8001) with default deadlines. */
    public static TritonClient connect(String host, int port) {
        return connect(host, port, Deadlines.defaults());
    }

    public static TritonClient connect(String host, int port, Deadlines deadlines) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
        return new TritonClient(channel, deadlines, true, true);
    }

    // ---- health and model control -----------------------------------------------------------------------------------

    public boolean serverLive() {
        return call(() -> blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    }

    public boolean serverReady() {
        return call(() -> blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    }

    /** Whether the model (its highest version) is ready. */
    public boolean ready(String model) {
        return ready(model, "");
    }

    /** Whether that version of the model is ready (empty version: the server's choice). */
    public boolean ready(String model, String version) {
        return call(() -> blocking().modelReady(ModelReadyRequest.newBuilder().setName(model).setVersion(version)
                .build()).getReady());
    }

    /** Loads (or reloads) a model with its config.pbtxt; returns once it serves. */
    public void load(String model) {
        load(model, null);
    }

    /**
     * Loads (or reloads) a model; returns once it serves.
     *
     * @param configJson a JSON model configuration that replaces config.pbtxt for this load (e.g. another
     *     version_policy), or null
     */
    public void load(String model, String configJson) {
        RepositoryModelLoadRequest.Builder request = RepositoryModelLoadRequest.newBuilder().setModelName(model);
        if (configJson != null) {
            request.putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam(configJson).build());
        }
        call(() -> blocking.withDeadlineAfter(deadlines.load().toMillis(), TimeUnit.MILLISECONDS)
                .repositoryModelLoad(request.build()));
    }

    /** Unloads every version of a model (its running requests finish first, on the server). */
    public void unload(String model) {
        call(() -> blocking().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName(model)
                .build()));
    }

    /** The repository index. */
    public List<ModelStatus> index(boolean readyOnly) {
        return call(() -> blocking().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(readyOnly).build())
                .getModelsList().stream().map(m -> new ModelStatus(m.getName(), m.getVersion(), m.getState(),
                        m.getReason())).toList());
    }

    // ---- inference --------------------------------------------------------------------------------------------------

    /**
     * Streams a generation: {@code onChunk} gets each piece of new text as it comes (on a gRPC thread; keep it
     * short), and the future completes with the whole result when the final response arrives. Cancelling the future
     * cancels the call.
     */
    public CompletableFuture<GenerationResult> generate(String model, String prompt, SamplingParams params,
                                                        Consumer<String> onChunk) {
        return generate(model, "", prompt, params, onChunk);
    }

    /** As {@link #generate(String, String, SamplingParams, Consumer)}, on a given version (empty: any). */
    public CompletableFuture<GenerationResult> generate(String model, String version, String prompt,
                                                        SamplingParams params, Consumer<String> onChunk) {
        ModelInferRequest request = request(model, version, prompt, params, true);
        GenerationCall call = new GenerationCall(onChunk);
        StreamObserver<ModelInferRequest> requests;
        try {
            requests = async.withDeadlineAfter(deadlines.generation().toMillis(), TimeUnit.MILLISECONDS)
                    .modelStreamInfer(call);
            requests.onNext(request);
            requests.onCompleted(); // the server ends the stream after the final response
        } catch (RuntimeException e) {
            call.completeExceptionally(TritonException.fromStatus(e));
        }
        return call;
    }

    /** One ModelInfer call (not streaming): the whole completion at once. */
    public GenerationResult infer(String model, String version, String prompt, SamplingParams params) {
        ModelInferRequest request = request(model, version, prompt, params, false);
        ModelInferResponse response = call(() -> blocking.withDeadlineAfter(deadlines.generation().toMillis(),
                TimeUnit.MILLISECONDS).modelInfer(request));
        Decoded d = decode(response);
        return new GenerationResult(d.text, response.getModelVersion(), d.promptTokens, d.newTokens, d.finishReason);
    }

    /** The request the vLLM backend expects; all data in raw_input_contents, in input order. */
    ModelInferRequest request(String model, String version, String prompt, SamplingParams params, boolean stream) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model).setModelVersion(version)
                .setId(Long.toString(ids.incrementAndGet()));
        addInput(b, TEXT_INPUT, "BYTES", TritonTensors.stringRaw(prompt));
        addInput(b, "stream", "BOOL", TritonTensors.boolRaw(stream));
        addInput(b, "sampling_parameters", "BYTES", TritonTensors.stringRaw(params.toJson()));
        addInput(b, "exclude_input_in_output", "BOOL", TritonTensors.boolRaw(true));
        if (requestUsage) {
            addInput(b, "return_finish_reason", "BOOL", TritonTensors.boolRaw(true));
            addInput(b, "return_num_input_tokens", "BOOL", TritonTensors.boolRaw(true));
            addInput(b, "return_num_output_tokens", "BOOL", TritonTensors.boolRaw(true));
        }
        return b.build();
    }

    private static void addInput(ModelInferRequest.Builder b, String name, String datatype, ByteString raw) {
        b.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(datatype).addShape(1));
        b.addRawInputContents(raw);
    }

    /** What one response carries. */
    private record Decoded(String text, long promptTokens, long newTokens, String finishReason) {
    }

    private static Decoded decode(ModelInferResponse response) {
        String text = null;
        long promptTokens = -1;
        long newTokens = -1;
        String finishReason = null;
        for (int i = 0; i < response.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor out = response.getOutputs(i);
            ByteString raw = i < response.getRawOutputContentsCount() ? response.getRawOutputContents(i) : null;
            switch (out.getName()) {
                case TEXT_OUTPUT -> text = firstString(out, raw);
                case "finish_reason" -> finishReason = firstString(out, raw);
                case "num_input_tokens" -> promptTokens = firstUint(out, raw);
                case "num_output_tokens" -> newTokens = firstUint(out, raw);
                default -> {
                }
            }
        }
        if (text == null) {
            throw new TritonException(io.grpc.Status.Code.INTERNAL, "response " + response.getId() + " has no "
                    + TEXT_OUTPUT, null);
        }
        return new Decoded(text, promptTokens, newTokens, "None".equals(finishReason) ? null : finishReason);
    }

    private static String firstString(ModelInferResponse.InferOutputTensor out, ByteString raw) {
        List<byte[]> elements = raw != null ? TritonTensors.parseBytesRaw(raw)
                : out.getContents().getBytesContentsList().stream().map(ByteString::toByteArray).toList();
        return elements.isEmpty() ? "" : new String(elements.get(0), StandardCharsets.UTF_8);
    }

    private static long firstUint(ModelInferResponse.InferOutputTensor out, ByteString raw) {
        if (raw != null) {
            long[] values = TritonTensors.parseUint32Raw(raw);
            return values.length == 0 ? -1 : values[0];
        }
        return out.getContents().getUintContentsCount() == 0 ? -1
                : Integer.toUnsignedLong(out.getContents().getUintContents(0));
    }

    /** The future of one streamed generation, and the observer of its call. */
    private static final class GenerationCall extends CompletableFuture<GenerationResult>
            implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
        private final Consumer<String> onChunk;
        private final StringBuilder text = new StringBuilder();
        private volatile ClientCallStreamObserver<ModelInferRequest> call;
        private long promptTokens = -1;
        private long completionTokens = -1;

        GenerationCall(Consumer<String> onChunk) {
            this.onChunk = onChunk;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
            this.call = requestStream;
        }

        @Override
        public synchronized void onNext(ModelStreamInferResponse message) {
            if (isDone()) {
                return;
            }
            if (!message.getErrorMessage().isEmpty()) {
                completeExceptionally(TritonException.fromStreamError(message.getErrorMessage()));
                return;
            }
            ModelInferResponse response = message.getInferResponse();
            Decoded d;
            try {
                d = decode(response);
            } catch (RuntimeException e) {
                completeExceptionally(e instanceof TritonException ? e
                        : new TritonException(io.grpc.Status.Code.INTERNAL, "bad response: " + e.getMessage(), e));
                cancelCall("bad response");
                return;
            }
            if (!d.text.isEmpty()) {
                text.append(d.text);
                if (onChunk != null) {
                    onChunk.accept(d.text);
                }
            }
            if (d.promptTokens >= 0) {
                promptTokens = d.promptTokens;
            }
            if (d.newTokens >= 0) {
                completionTokens = Math.max(completionTokens, 0) + d.newTokens;
            }
            InferParameter flag = response.getParametersMap().get(FINAL_RESPONSE);
            // A model that is not decoupled sends one response and no flag: that response is the last.
            boolean last = flag == null || flag.getBoolParam();
            if (last) {
                complete(new GenerationResult(text.toString(), response.getModelVersion(), promptTokens,
                        completionTokens, d.finishReason));
            }
        }

        @Override
        public void onError(Throwable t) {
            completeExceptionally(TritonException.fromStatus(t));
        }

        @Override
        public void onCompleted() {
            if (!isDone()) {
                completeExceptionally(new TritonException(io.grpc.Status.Code.INTERNAL,
                        "the stream ended before the final response", null));
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                cancelCall("cancelled by the client");
            }
            return cancelled;
        }

        private void cancelCall(String why) {
            ClientCallStreamObserver<ModelInferRequest> c = call;
            if (c != null) {
                c.cancel(why, null);
            }
        }
    }

    /** Blocks for a generation's result, unwrapping the failure. */
    public static GenerationResult await(CompletableFuture<GenerationResult> generation) {
        try {
            return generation.get();
        } catch (InterruptedException e) {
            generation.cancel(true);
            Thread.currentThread().interrupt();
            throw new TritonException(io.grpc.Status.Code.CANCELLED, "interrupted while waiting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TritonException te) {
                throw te;
            }
            throw new TritonException(io.grpc.Status.Code.INTERNAL, String.valueOf(e.getCause()), e.getCause());
        }
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking() {
        return blocking.withDeadlineAfter(deadlines.call().toMillis(), TimeUnit.MILLISECONDS);
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            throw TritonException.fromStatus(e);
        }
    }

    @Override
    public void close() {
        if (ownsChannel) {
            channel.shutdown();
            try {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
