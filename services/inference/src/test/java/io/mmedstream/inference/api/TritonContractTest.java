package io.mmedstream.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.GetModelRequest;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.triton.client.TritonClient;

/**
 * The inference service against an in-process test double of Triton (KServe v2): the exact tensors it sends, how it
 * reads the streamed responses and the final one, and its status codes.
 */
class TritonContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeTriton triton = new FakeTriton();
    private final String tritonName = "triton-" + UUID.randomUUID();
    private final String apiName = "api-" + UUID.randomUUID();
    private Server tritonServer;
    private Server apiServer;
    private ManagedChannel tritonChannel;
    private ManagedChannel apiChannel;
    private ModelRouter router;
    private ConcurrencyLimiter limiter;
    private InferenceGrpc.InferenceBlockingStub api;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(registry);

    @BeforeEach
    void start() throws Exception {
        tritonServer = InProcessServerBuilder.forName(tritonName).addService(triton).build().start();
        tritonChannel = InProcessChannelBuilder.forName(tritonName).build();
        TritonClient client = new TritonClient(tritonChannel, new TritonClient.Deadlines(Duration.ofSeconds(5),
                Duration.ofSeconds(20), Duration.ofSeconds(20)), true, false);
        router = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(10), Clock.systemUTC());
        limiter = new ConcurrencyLimiter(1);
        GenerationService generations = new GenerationService(client, router, limiter);
        InferenceGrpcService service = new InferenceGrpcService(new RequestValidator(256, 4096), generations,
                new AnswerService(generations, 32, 512), router, metrics);
        apiServer = InProcessServerBuilder.forName(apiName).addService(service).build().start();
        apiChannel = InProcessChannelBuilder.forName(apiName).build();
        api = InferenceGrpc.newBlockingStub(apiChannel).withDeadlineAfter(20, TimeUnit.SECONDS);
        triton.readyVersions.add("mmed/1");
        router.adopt(ServingModel.of("mmed", "1"));
    }

    @AfterEach
    void stop() throws Exception {
        apiChannel.shutdownNow();
        tritonChannel.shutdownNow();
        apiServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        tritonServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private void answerWith(String... chunks) {
        triton.responder = (request, responses) -> {
            for (int i = 0; i < chunks.length; i++) {
                responses.onNext(FakeTriton.response(request, chunks[i], false, null, 1L, "None"));
            }
            responses.onNext(FakeTriton.response(request, "", true, 3L, 1L, "length"));
            responses.onCompleted();
        };
    }

    private static ByteString bytesElement(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(utf8.length).put(utf8);
        return ByteString.copyFrom(b.array());
    }

    private static ByteString input(ModelInferRequest request, String name) {
        for (int i = 0; i < request.getInputsCount(); i++) {
            if (request.getInputs(i).getName().equals(name)) {
                return request.getRawInputContents(i);
            }
        }
        throw new AssertionError("no input " + name);
    }

    @Test
    void generateSendsTheVllmTensorContractThroughModelStreamInfer() throws Exception {
        answerWith("Hello");
        String prompt = "Fièvre et toux 发热 ";
        List<GenerateResponse> out = new ArrayList<>();
        api.generate(GenerateRequest.newBuilder().setPrompt(prompt).setMaxTokens(5).setTemperature(0.0)
                .setTopP(0.9).addStop("\n").setSeed(42).build()).forEachRemaining(out::add);

        assertThat(triton.requests).hasSize(1);
        ModelInferRequest request = triton.requests.get(0);
        assertThat(request.getModelName()).isEqualTo("mmed");
        assertThat(request.getModelVersion()).isEqualTo("1");
        assertThat(request.getInputsList()).extracting(t -> t.getName() + ":" + t.getDatatype() + ":"
                + t.getShapeList()).containsExactly("text_input:BYTES:[1]", "stream:BOOL:[1]",
                "sampling_parameters:BYTES:[1]", "exclude_input_in_output:BOOL:[1]",
                "return_finish_reason:BOOL:[1]", "return_num_input_tokens:BOOL:[1]",
                "return_num_output_tokens:BOOL:[1]");
        // Raw form: one raw entry per input, in order, and no input also uses contents.
        assertThat(request.getRawInputContentsCount()).isEqualTo(request.getInputsCount());
        assertThat(request.getInputsList()).allSatisfy(t -> assertThat(t.hasContents()).isFalse());
        // BYTES: 4-byte little-endian length, then the UTF-8 bytes.
        assertThat(input(request, "text_input")).isEqualTo(bytesElement(prompt));
        assertThat(input(request, "stream").toByteArray()).containsExactly(1);
        assertThat(input(request, "exclude_input_in_output").toByteArray()).containsExactly(1);
        ByteString sampling = input(request, "sampling_parameters");
        int length = sampling.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertThat(length).isEqualTo(sampling.size() - 4);
        JsonNode params = JSON.readTree(sampling.substring(4).toStringUtf8());
        assertThat(params).isEqualTo(JSON.readTree(
                "{\"max_tokens\":5,\"temperature\":0.0,\"top_p\":0.9,\"seed\":42,\"stop\":[\"\\n\"]}"));

        assertThat(out).hasSize(2);
        assertThat(out.get(0).getText()).isEqualTo("Hello");
        assertThat(out.get(0).getFinal()).isFalse();
    }

    @Test
    void chunksStreamInOrderAndTheLastMessageCarriesUsageFinishReasonAndModel() {
        answerWith("Hel", "lo", " world");
        Iterator<GenerateResponse> it = api.generate(GenerateRequest.newBuilder().setPrompt("Hi").build());
        List<GenerateResponse> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        assertThat(out).extracting(GenerateResponse::getText).containsExactly("Hel", "lo", " world", "");
        assertThat(out).extracting(GenerateResponse::getFinal).containsExactly(false, false, false, true);
        GenerateResponse last = out.get(3);
        assertThat(last.getUsage().getPromptTokens()).isEqualTo(3);
        assertThat(last.getUsage().getCompletionTokens()).isEqualTo(4);
        assertThat(last.getFinishReason()).isEqualTo("length");
        assertThat(last.getModel().getName()).isEqualTo("mmed");
        assertThat(last.getModel().getVersion()).isEqualTo("1");
        assertThat(out.subList(0, 3)).allSatisfy(r -> assertThat(r.hasUsage()).isFalse());
        await().until(() -> registry.find("mmed.inference.requests").tags("rpc", "Generate", "outcome", "OK")
                .counter() != null);
        // Unset sampling fields take the defaults.
        assertThat(input(triton.requests.get(0), "sampling_parameters").substring(4).toStringUtf8())
                .contains("\"max_tokens\":256").contains("\"temperature\":1.0").contains("\"top_p\":1.0");
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aStreamErrorFromTheBackendEndsTheCallWithAStatus() {
        triton.responder = (request, responses) -> {
            responses.onNext(io.mmedstream.proto.triton.ModelStreamInferResponse.newBuilder()
                    .setErrorMessage("Request for unknown model: 'mmed' version 1 is not ready").build());
            responses.onCompleted();
        };
        assertThatThrownBy(() -> api.generate(GenerateRequest.newBuilder().setPrompt("Hi").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE));
        await().until(() -> limiter.inFlight() == 0);
    }

    @Test
    void clientCancellationCancelsTheBackendCallAndFreesTheSlot() throws Exception {
        triton.responder = (request, responses) -> responses.onNext(
                FakeTriton.response(request, "first", false, null, 1L, "None")); // never finishes
        try (Context.CancellableContext context = Context.current().withCancellation()) {
            Iterator<GenerateResponse> it = context.call(() -> api.generate(GenerateRequest.newBuilder()
                    .setPrompt("Hi").build()));
            assertThat(it.next().getText()).isEqualTo("first");
            assertThat(limiter.inFlight()).isEqualTo(1);
            context.cancel(null);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> triton.cancelledStreams.get() == 1);
        await().until(() -> limiter.inFlight() == 0);
    }

    @Test
    void clientDeadlineCancelsTheBackendCallAndFreesTheSlot() {
        triton.responder = (request, responses) -> responses.onNext(
                FakeTriton.response(request, "first", false, null, 1L, "None")); // never finishes
        assertThatThrownBy(() -> {
            Iterator<GenerateResponse> it = api.withDeadlineAfter(500, TimeUnit.MILLISECONDS).generate(
                    GenerateRequest.newBuilder().setPrompt("Hi").build());
            while (it.hasNext()) {
                it.next();
            }
        }).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        await().atMost(Duration.ofSeconds(10)).until(() -> triton.cancelledStreams.get() == 1);
        await().until(() -> limiter.inFlight() == 0);
    }

    @Test
    void aCallThatCompletesLeavesTheBackendCallToEndByItself() {
        // The final response comes first and the end of the backend's stream later (as on any real transport, where
        // trailers follow the last message): the API call completes in between, and that must not cancel the
        // backend call (a reset stream there can cost every other call on the connection; see GenerationService).
        AtomicReference<StreamObserver<ModelStreamInferResponse>> open = new AtomicReference<>();
        triton.responder = (request, responses) -> {
            responses.onNext(FakeTriton.response(request, "Hello", true, 3L, 1L, "length"));
            open.set(responses);
        };
        Iterator<GenerateResponse> it = api.generate(GenerateRequest.newBuilder().setPrompt("Hi").build());
        GenerateResponse last = null;
        while (it.hasNext()) {
            last = it.next();
        }
        assertThat(last.getFinal()).isTrue();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> triton.cancelledStreams.get() == 0);
        open.get().onCompleted();
        await().until(() -> limiter.inFlight() == 0);
        assertThat(triton.cancelledStreams.get()).isZero();
    }

    @Test
    void overTheConcurrencyLimitIsResourceExhausted() throws Exception {
        triton.responder = (request, responses) -> responses.onNext(
                FakeTriton.response(request, "slow", false, null, 1L, "None"));
        try (Context.CancellableContext context = Context.current().withCancellation()) {
            Iterator<GenerateResponse> first = context.call(() -> api.generate(GenerateRequest.newBuilder()
                    .setPrompt("Hi").build()));
            assertThat(first.next().getText()).isEqualTo("slow");
            assertThatThrownBy(() -> api.generate(GenerateRequest.newBuilder().setPrompt("Hi").build()).next())
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            context.cancel(null);
        }
        await().until(() -> limiter.inFlight() == 0);
    }

    @Test
    void badInputIsInvalidArgumentNamingTheField() {
        assertThatThrownBy(() -> api.generate(GenerateRequest.newBuilder().setPrompt("Hi").setTopP(0).build())
                .next()).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("top_p:");
                });
        assertThatThrownBy(() -> api.generate(GenerateRequest.newBuilder().setPrompt("").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).startsWith("prompt:"));
        assertThat(triton.requests).isEmpty();
        assertThat(registry.get("mmed.inference.requests").tags("rpc", "Generate", "outcome", "INVALID_ARGUMENT")
                .counter().count()).isEqualTo(2);
    }

    @Test
    void withoutAServingModelGenerateAndGetModelAreUnavailable() throws Exception {
        stop();
        triton.readyVersions.clear();
        tritonServer = InProcessServerBuilder.forName(tritonName).addService(triton).build().start();
        tritonChannel = InProcessChannelBuilder.forName(tritonName).build();
        TritonClient client = new TritonClient(tritonChannel, TritonClient.Deadlines.defaults(), true, false);
        ModelRouter empty = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMillis(10), Clock.systemUTC());
        GenerationService generations = new GenerationService(client, empty, new ConcurrencyLimiter(2));
        apiServer = InProcessServerBuilder.forName(apiName).addService(new InferenceGrpcService(
                new RequestValidator(256, 4096), generations, new AnswerService(generations, 32, 512), empty,
                metrics))
                .build().start();
        apiChannel = InProcessChannelBuilder.forName(apiName).build();
        InferenceGrpc.InferenceBlockingStub stub = InferenceGrpc.newBlockingStub(apiChannel);
        assertThatThrownBy(() -> stub.generate(GenerateRequest.newBuilder().setPrompt("Hi").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> stub.getModel(GetModelRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void answerSendsTheBenchmarkPromptGreedilyAndParsesTheChosenOptions() throws Exception {
        answerWith("###Answer: OPTION ", "B IS CORRECT.</s>");
        AnswerResponse answer = api.answer(AnswerRequest.newBuilder().setQuestion("Which drug?")
                .putOptions("B", "Heparin").putOptions("A", "Aspirin").setLanguage("French").build());
        assertThat(answer.getChosenList()).containsExactly("B");
        assertThat(answer.getParseRule()).isEqualTo("TARGET_PHRASE");
        assertThat(answer.getRawOutput()).isEqualTo("###Answer: OPTION B IS CORRECT.</s>");
        assertThat(answer.getModel().getVersion()).isEqualTo("1");
        String expectedPrompt = "Below is an instruction that describes a task, paired with an input that provides"
                + " further context. Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\nYou're a French doctor, kindly address the medical queries according to the"
                + " patient's account. Answer with the best option directly.\n\n### Input:\n###Question: Which drug?"
                + " Which of the following is the best treatment for this patient? ###Options: A. Aspirin"
                + " B. Heparin \n\n### Response:";
        assertThat(answer.getPrompt()).isEqualTo(expectedPrompt);
        ModelInferRequest request = triton.requests.get(0);
        assertThat(input(request, "text_input")).isEqualTo(bytesElement(expectedPrompt));
        assertThat(JSON.readTree(input(request, "sampling_parameters").substring(4).toStringUtf8()))
                .isEqualTo(JSON.readTree("{\"max_tokens\":32,\"temperature\":0.0,\"top_p\":1.0}"));
    }

    @Test
    void answerWithRationaleReturnsTheRationaleAndAnUnreadableAnswerSaysWhy() {
        answerWith("###Rationale: Clots need an anticoagulant.\n###Answer: OPTION A,C IS CORRECT.");
        AnswerResponse answer = api.answer(AnswerRequest.newBuilder().setQuestion("Q").putOptions("A", "x")
                .putOptions("B", "y").putOptions("C", "z").setWithRationale(true).build());
        assertThat(answer.getChosenList()).containsExactly("A", "C");
        assertThat(answer.getRationale()).isEqualTo("Clots need an anticoagulant.");
        assertThat(answer.getPrompt()).contains("You should first give the reason in English for your choice.");

        answerWith("I am not sure.");
        AnswerResponse unsure = api.answer(AnswerRequest.newBuilder().setQuestion("Q").putOptions("A", "x")
                .putOptions("B", "y").build());
        assertThat(unsure.getChosenList()).isEmpty();
        assertThat(unsure.getUnparseableReason()).isNotEmpty();
    }
}
