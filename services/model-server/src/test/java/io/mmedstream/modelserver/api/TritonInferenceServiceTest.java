package io.mmedstream.modelserver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.mmedstream.modelserver.engine.DecodingParams;
import io.mmedstream.modelserver.engine.TextGenerator;
import io.mmedstream.proto.triton.GRPCInferenceServiceGrpc;
import io.mmedstream.proto.triton.InferTensorContents;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelMetadataRequest;
import io.mmedstream.proto.triton.ModelMetadataResponse;
import io.mmedstream.proto.triton.ModelReadyRequest;
import io.mmedstream.proto.triton.ModelRepositoryParameter;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.proto.triton.RepositoryIndexRequest;
import io.mmedstream.proto.triton.RepositoryModelLoadRequest;
import io.mmedstream.proto.triton.RepositoryModelUnloadRequest;
import io.mmedstream.proto.triton.ServerLiveRequest;
import io.mmedstream.proto.triton.ServerMetadataRequest;
import io.mmedstream.proto.triton.ServerReadyRequest;

/**
 * The gRPC service through real gRPC calls (in-process transport), with requests built by hand from the generated
 * messages, so the bytes on the wire are checked rather than a client's reading of them.
 */
class TritonInferenceServiceTest {

    private static final String PROMPT = "The patient has a fever and";

    @TempDir
    static Path tmp;
    private static InProcessModelServer server;
    private static ManagedChannel channel;
    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking;
    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceStub async;

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessModelServer(tmp.resolve("repo"), 2, 8);
        channel = server.channel();
        blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        async = GRPCInferenceServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow();
        server.close();
    }

    /** 4-byte little-endian length, then the bytes: Triton's raw BYTES element, built here independently. */
    private static ByteString rawBytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteString.copyFrom(ByteBuffer.allocate(4 + b.length).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length)
                .put(b).array());
    }

    private static ByteString rawBool(boolean b) {
        return ByteString.copyFrom(new byte[] {(byte) (b ? 1 : 0)});
    }

    private static ModelInferRequest.InferInputTensor input(String name, String datatype) {
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(datatype).addShape(1).build();
    }

    private static ModelInferRequest request(String model, String id, String prompt, boolean stream, String sampling,
                                             boolean usage) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model).setId(id)
                .addInputs(input("text_input", "BYTES")).addRawInputContents(rawBytes(prompt))
                .addInputs(input("stream", "BOOL")).addRawInputContents(rawBool(stream))
                .addInputs(input("sampling_parameters", "BYTES")).addRawInputContents(rawBytes(sampling));
        if (usage) {
            b.addInputs(input("return_num_input_tokens", "BOOL")).addRawInputContents(rawBool(true))
                    .addInputs(input("return_num_output_tokens", "BOOL")).addRawInputContents(rawBool(true))
                    .addInputs(input("return_finish_reason", "BOOL")).addRawInputContents(rawBool(true));
        }
        return b.build();
    }

    /** The raw bytes of an output, checked to be a one-element tensor of that datatype. */
    private static ByteString output(ModelInferResponse r, String name, String datatype) {
        for (int i = 0; i < r.getOutputsCount(); i++) {
            if (r.getOutputs(i).getName().equals(name)) {
                assertThat(r.getOutputs(i).getDatatype()).isEqualTo(datatype);
                assertThat(r.getOutputs(i).getShapeList()).containsExactly(1L);
                assertThat(r.getRawOutputContentsCount()).isEqualTo(r.getOutputsCount());
                return r.getRawOutputContents(i);
            }
        }
        throw new AssertionError("no output " + name + " in " + r);
    }

    private static String text(ModelInferResponse r) {
        ByteString raw = output(r, "text_output", "BYTES");
        ByteBuffer in = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int length = in.getInt();
        assertThat(raw.size()).as("one BYTES element: 4-byte length + its bytes").isEqualTo(4 + length);
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static long uint32(ModelInferResponse r, String name) {
        ByteString raw = output(r, name, "UINT32");
        assertThat(raw.size()).isEqualTo(4);
        return Integer.toUnsignedLong(raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    private static TextGenerator.Completion direct(String model, int maxTokens) {
        return server.models.servingVersion(model, "").generator().generate(PROMPT, DecodingParams.greedy(maxTokens),
                null, null);
    }

    @Test
    void healthAndMetadataRpcsDescribeTheServerAndTheContract() {
        assertThat(blocking.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(blocking.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        var meta = blocking.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertThat(meta.getName()).isEqualTo("mmed-model-server");
        assertThat(meta.getExtensionsList()).contains("model_repository");

        ModelMetadataResponse model = blocking.modelMetadata(ModelMetadataRequest.newBuilder().setName("mmed").build());
        assertThat(model.getVersionsList()).containsExactly("1");
        assertThat(model.getPlatform()).isEqualTo("mmed-llama");
        assertThat(model.getInputsList()).anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("text_input");
            assertThat(t.getDatatype()).isEqualTo("BYTES");
            assertThat(t.getShapeList()).containsExactly(1L);
        });
        assertThat(model.getOutputsList()).anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("text_output");
            assertThat(t.getShapeList()).containsExactly(-1L);
        });
        assertThat(blocking.modelReady(ModelReadyRequest.newBuilder().setName("mmed").build()).getReady()).isTrue();
        assertThat(blocking.modelReady(ModelReadyRequest.newBuilder().setName("mmed").setVersion("2").build())
                .getReady()).isFalse();
        assertThat(blocking.modelReady(ModelReadyRequest.newBuilder().setName("idle").build()).getReady()).isFalse();
        assertThat(blocking.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()).getReady()).isFalse();
    }

    @Test
    void modelInferReturnsTheWholeCompletionAsOneRawBytesTensor() {
        ModelInferResponse r = blocking.modelInfer(request("unary", "req-1", PROMPT, false,
                "{\"max_tokens\": 9, \"temperature\": 0}", true));
        TextGenerator.Completion expected = direct("unary", 9);

        assertThat(r.getModelName()).isEqualTo("unary");
        assertThat(r.getModelVersion()).isEqualTo("1");
        assertThat(r.getId()).isEqualTo("req-1");
        assertThat(text(r)).as("exclude_input_in_output defaults to false without streaming: prompt + completion")
                .isEqualTo(PROMPT + expected.text());
        assertThat(uint32(r, "num_input_tokens")).isEqualTo(expected.promptTokens());
        assertThat(uint32(r, "num_output_tokens")).isEqualTo(9);
        assertThat(r.getParametersMap()).doesNotContainKey("triton_final_response");
        ByteString reason = output(r, "finish_reason", "BYTES");
        assertThat(reason.substring(4).toStringUtf8()).isEqualTo("length");
    }

    @Test
    void typedContentsAndRequestedOutputsWorkLikeRawContents() {
        ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("unary").setId("typed")
                .addInputs(input("text_input", "BYTES").toBuilder().setContents(InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFromUtf8(PROMPT))))
                .addInputs(input("exclude_input_in_output", "BOOL").toBuilder().setContents(
                        InferTensorContents.newBuilder().addBoolContents(true)))
                .addInputs(input("return_num_output_tokens", "BOOL").toBuilder().setContents(
                        InferTensorContents.newBuilder().addBoolContents(true)))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("text_output"))
                .putParameters("max_tokens", io.mmedstream.proto.triton.InferParameter.newBuilder().setInt64Param(7)
                        .build())
                .putParameters("temperature", io.mmedstream.proto.triton.InferParameter.newBuilder()
                        .setDoubleParam(0).build())
                .build();
        ModelInferResponse response = blocking.modelInfer(r);
        assertThat(response.getOutputsCount()).as("only the requested output").isEqualTo(1);
        assertThat(text(response)).isEqualTo(direct("unary", 7).text());
    }

    @Test
    void streamingSendsOneResponsePerChunkAndFlagsOnlyTheLastAsFinal() throws Exception {
        List<ModelStreamInferResponse> responses = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ModelInferRequest> requests = async.modelStreamInfer(new StreamObserver<>() {
            @Override
            public void onNext(ModelStreamInferResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        requests.onNext(request("mmed", "s-1", PROMPT, true, "{\"max_tokens\": 20, \"temperature\": 0}", true));
        requests.onCompleted();
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();

        TextGenerator.Completion expected = direct("mmed", 20);
        assertThat(responses).hasSizeGreaterThan(2);
        StringBuilder text = new StringBuilder();
        long tokens = 0;
        for (int i = 0; i < responses.size(); i++) {
            ModelStreamInferResponse m = responses.get(i);
            assertThat(m.getErrorMessage()).isEmpty();
            ModelInferResponse r = m.getInferResponse();
            assertThat(r.getId()).isEqualTo("s-1");
            boolean last = i == responses.size() - 1;
            assertThat(r.getParametersMap().get("triton_final_response").getBoolParam()).isEqualTo(last);
            assertThat(output(r, "finish_reason", "BYTES").substring(4).toStringUtf8())
                    .isEqualTo(last ? "length" : "None");
            assertThat(uint32(r, "num_input_tokens")).isEqualTo(expected.promptTokens());
            text.append(text(r));
            tokens += uint32(r, "num_output_tokens");
        }
        assertThat(text.toString()).as("streaming leaves the prompt out").isEqualTo(expected.text());
        assertThat(tokens).isEqualTo(20);
    }

    @Test
    void aStreamCarriesSeveralRequestsAndReportsAFailedOneWithoutEndingTheStream() throws Exception {
        List<ModelStreamInferResponse> responses = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        List<Throwable> errors = new ArrayList<>();
        StreamObserver<ModelInferRequest> requests = async.modelStreamInfer(new StreamObserver<>() {
            @Override
            public void onNext(ModelStreamInferResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                errors.add(t);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        requests.onNext(request("nope", "bad-1", PROMPT, true, "{}", false));
        requests.onNext(request("idle", "bad-2", PROMPT, true, "{}", false));
        requests.onNext(request("mmed", "good", PROMPT, false, "{\"max_tokens\": 4, \"temperature\": 0}", false));
        requests.onCompleted();
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(errors).isEmpty();

        assertThat(responses).filteredOn(m -> m.getInferResponse().getId().equals("bad-1")).singleElement()
                .satisfies(m -> assertThat(m.getErrorMessage()).contains("unknown model").contains("nope"));
        assertThat(responses).filteredOn(m -> m.getInferResponse().getId().equals("bad-2")).singleElement()
                .satisfies(m -> assertThat(m.getErrorMessage()).contains("not ready"));
        assertThat(responses).filteredOn(m -> m.getInferResponse().getId().equals("good")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getErrorMessage()).isEmpty();
                    assertThat(text(m.getInferResponse())).isEqualTo(PROMPT + direct("mmed", 4).text());
                    assertThat(m.getInferResponse().getParametersMap().get("triton_final_response").getBoolParam())
                            .isTrue();
                });
    }

    @Test
    void errorStatusesSayWhatIsWrong() {
        assertThatThrownBy(() -> blocking.modelInfer(request("nope", "x", PROMPT, false, "{}", false)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> blocking.modelInfer(request("idle", "x", PROMPT, false, "{}", false)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> blocking.modelInfer(request("mmed", "x", PROMPT, false, "{}", false)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                    assertThat(e.getStatus().getDescription()).contains("decoupled");
                });
        ModelInferRequest wrongType = request("unary", "x", PROMPT, false, "{}", false).toBuilder()
                .setInputs(1, input("stream", "INT32")).build();
        assertInvalid(wrongType, "'stream'");
        ModelInferRequest twoPrompts = request("unary", "x", PROMPT, false, "{}", false).toBuilder()
                .setInputs(0, input("text_input", "BYTES").toBuilder().clearShape().addShape(2).build()).build();
        assertInvalid(twoPrompts, "'text_input'");
        ModelInferRequest cutRaw = request("unary", "x", PROMPT, false, "{}", false).toBuilder()
                .setRawInputContents(0, rawBytes(PROMPT).substring(0, 10)).build();
        assertInvalid(cutRaw, "'text_input'");
        ModelInferRequest noPrompt = ModelInferRequest.newBuilder().setModelName("unary").build();
        assertInvalid(noPrompt, "text_input");
        ModelInferRequest badJson = request("unary", "x", PROMPT, false, "{\"top_p\": 7}", false);
        assertInvalid(badJson, "sampling_parameters");
        ModelInferRequest unknownInput = request("unary", "x", PROMPT, false, "{}", false).toBuilder()
                .addInputs(input("prompt", "BYTES")).addRawInputContents(rawBytes("x")).build();
        assertInvalid(unknownInput, "'prompt'");
        assertInvalid(request("unary", "x", PROMPT, true, "{}", false), "'stream'");
        ModelInferRequest invalidUtf8 = request("unary", "x", PROMPT, false, "{}", false).toBuilder()
                .setRawInputContents(0, ByteString.copyFrom(new byte[] {1, 0, 0, 0, (byte) 0xC3})).build();
        assertInvalid(invalidUtf8, "UTF-8");
    }

    private static void assertInvalid(ModelInferRequest request, String named) {
        assertThatThrownBy(() -> blocking.modelInfer(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(named);
                });
    }

    @Test
    void explicitLoadAndUnloadThroughTheRepositoryRpcs() {
        var index = blocking.repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModelsList();
        assertThat(index).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("idle");
            assertThat(m.getState()).isEmpty();
        });
        // Load with a config override: not decoupled, so ModelInfer takes it.
        blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("idle")
                .putParameters("config", ModelRepositoryParameter.newBuilder()
                        .setStringParam("{\"backend\": \"mmed-llama\", \"model_transaction_policy\": {\"decoupled\": false}}")
                        .build()).build());
        assertThat(blocking.modelReady(ModelReadyRequest.newBuilder().setName("idle").build()).getReady()).isTrue();
        assertThat(text(blocking.modelInfer(request("idle", "x", PROMPT, false, "{\"max_tokens\": 2}", false))))
                .startsWith(PROMPT);
        assertThat(blocking.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build())
                .getModelsList()).anySatisfy(m -> {
                    assertThat(m.getName()).isEqualTo("idle");
                    assertThat(m.getVersion()).isEqualTo("1");
                    assertThat(m.getState()).isEqualTo("READY");
                });

        blocking.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("idle").build());
        assertThat(blocking.modelReady(ModelReadyRequest.newBuilder().setName("idle").build()).getReady()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> blocking.repositoryIndex(
                RepositoryIndexRequest.getDefaultInstance()).getModelsList().stream().anyMatch(m ->
                m.getName().equals("idle") && m.getState().equals("UNAVAILABLE") && m.getReason().equals("unloaded")));

        assertThatThrownBy(() -> blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                .setModelName("nope").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                .setModelName("idle").putParameters("config", ModelRepositoryParameter.newBuilder()
                        .setStringParam("{\"backend\": \"onnxruntime\"}").build()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("onnxruntime");
                });
    }

    @Test
    void cancellingTheCallStopsTheGeneration() throws Exception {
        CountDownLatch firstChunk = new CountDownLatch(1);
        ClientCallStreamObserver<ModelInferRequest>[] call = new ClientCallStreamObserver[1];
        StreamObserver<ModelInferRequest> requests = async.modelStreamInfer(
                new ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
                        call[0] = requestStream;
                    }

                    @Override
                    public void onNext(ModelStreamInferResponse value) {
                        firstChunk.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(request("mmed", "long", "y".repeat(100), true,
                "{\"max_tokens\": 150, \"ignore_eos\": true, \"temperature\": 0}", false));
        assertThat(firstChunk.await(60, TimeUnit.SECONDS)).isTrue();
        call[0].cancel("test cancels", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.runner.pending() == 0);
        assertThat(server.registry.find("mmed.inference.requests").tag("outcome", "cancelled").counter())
                .isNotNull();
    }
}
