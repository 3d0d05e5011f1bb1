package io.mmedstream.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Hostile and malformed input against the packaged service (Quarkus, its gRPC server, the gate, the validator) with a
 * backend that serves: every bad request ends with the status a client can act on, the message names the field
 * without repeating the client's text or token, and the service keeps serving afterwards.
 */
@QuarkusTest
@QuarkusTestResource(value = InstantBackendResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "load", value = "1"))
class AdversarialInputTest {

    /** A marker inside every big text sent: no error message may contain it. */
    private static final String SECRET_TEXT = "PATIENT-NAME-JOHN-DOE";

    @TestHTTPResource("/")
    URL base;

    private ManagedChannel channel;
    private InferenceGrpc.InferenceBlockingStub api;
    private final List<String> descriptions = new ArrayList<>();

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                .maxInboundMessageSize(8 << 20).build();
        api = TestTokens.withToken(InferenceGrpc.newBlockingStub(channel), TestTokens.TEST_TOKEN);
        await().atMost(Duration.ofSeconds(30)).until(this::serves);
    }

    @AfterEach
    void close() {
        // Whatever was sent, no message repeats a token or a client's text.
        for (String d : descriptions) {
            assertThat(d).doesNotContain(TestTokens.TEST_TOKEN).doesNotContain(TestTokens.OTHER_TOKEN)
                    .doesNotContain(SECRET_TEXT).doesNotContain("wrong-token");
            assertThat(d.length()).isLessThan(400);
        }
        // ...and the service still serves.
        assertThat(serves()).isTrue();
        channel.shutdownNow();
    }

    private boolean serves() {
        try {
            Iterator<GenerateResponse> it = api.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .generate(GenerateRequest.newBuilder().setPrompt("Fever and cough").setMaxTokens(3).build());
            GenerateResponse last = null;
            while (it.hasNext()) {
                last = it.next();
            }
            AnswerResponse answer = api.withDeadlineAfter(10, TimeUnit.SECONDS).answer(AnswerRequest.newBuilder()
                    .setQuestion("Which organ filters blood?").putOptions("A", "Liver").putOptions("B", "Kidney")
                    .build());
            return last != null && last.getFinal() && answer.getChosenCount() == 1;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    private Status failure(Runnable call) {
        StatusRuntimeException[] caught = new StatusRuntimeException[1];
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> caught[0] = e);
        Status status = caught[0].getStatus();
        descriptions.add(String.valueOf(status.getDescription()));
        return status;
    }

    private void assertInvalid(Runnable call, String field) {
        Status status = failure(call);
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).startsWith(field + ":");
    }

    private Runnable generate(GenerateRequest.Builder request) {
        return () -> {
            Iterator<GenerateResponse> it = api.withDeadlineAfter(10, TimeUnit.SECONDS).generate(request.build());
            while (it.hasNext()) {
                it.next();
            }
        };
    }

    private Runnable answer(AnswerRequest.Builder request) {
        return () -> api.withDeadlineAfter(10, TimeUnit.SECONDS).answer(request.build());
    }

    private static String big(int bytes) {
        StringBuilder text = new StringBuilder(SECRET_TEXT);
        while (text.length() < bytes) {
            text.append(" fever ").append(SECRET_TEXT);
        }
        return text.toString();
    }

    private static AnswerRequest.Builder question() {
        return AnswerRequest.newBuilder().setQuestion("Which organ filters blood?").putOptions("A", "Liver")
                .putOptions("B", "Kidney");
    }

    @Test
    void aMessageOverTheSizeLimitIsResourceExhausted() {
        Status status = failure(generate(GenerateRequest.newBuilder().setPrompt(big(2 << 20))));
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void anOversizedPromptOrQuestionIsInvalidAndNotEchoed() {
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt(big(70_000))), "prompt");
        assertThat(descriptions.get(0)).contains("at most 65536");
        assertInvalid(answer(question().setQuestion(big(70_000))), "question");
        assertInvalid(answer(question().putOptions("B", big(5_000))), "options[B]");
    }

    @Test
    void invalidUtf8InAStringFieldIsInvalidArgument() {
        Status status = failure(() -> rawGenerate(MalformedRequestTest.INVALID_UTF8_PROMPT));
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).startsWith("request:");
    }

    @Test
    void controlCharactersAreInvalidButTabsAndNewlinesPass() {
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("Fever\u0000 and cough")), "prompt");
        assertThat(descriptions.get(0)).contains("U+0000");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("Fever \u001b[31m red")), "prompt");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("C1 \u0085 control")), "prompt");
        assertInvalid(answer(question().putOptions("A", "Liver\u0007")), "options[A]");
        assertInvalid(answer(question().setQuestion("Which\u0000organ?")), "question");
        // Ordinary whitespace and any script are fine.
        generate(GenerateRequest.newBuilder().setPrompt("Fièvre\tet toux\r\n发烧 🩺").setMaxTokens(2)).run();
    }

    @Test
    void hugeOrMalformedOptionListsAreInvalid() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            many.put("K" + i, "option " + i);
        }
        assertInvalid(answer(AnswerRequest.newBuilder().setQuestion("Q?").putAllOptions(many)), "options");
        assertThat(descriptions.get(0)).contains("at most 16 options, got 5000");
        Map<String, String> seventeen = new HashMap<>();
        for (char c = 'A'; c <= 'Q'; c++) {
            seventeen.put(String.valueOf(c), "x");
        }
        assertInvalid(answer(AnswerRequest.newBuilder().setQuestion("Q?").putAllOptions(seventeen)), "options");
        assertInvalid(answer(AnswerRequest.newBuilder().setQuestion("Q?").putOptions("A", "x")
                .putOptions(SECRET_TEXT, "y")), "options");
        assertInvalid(answer(AnswerRequest.newBuilder().setQuestion("Q?").putOptions("A", "x").putOptions("", "y")),
                "options");
        assertInvalid(answer(question().putOptions("C", "")), "options[C]");
        assertInvalid(answer(question().setLanguage(big(10_000))), "language");
        assertInvalid(answer(question().setLanguage("Klingon")), "language");
    }

    @Test
    void oddStopSequencesAreCheckedOneByOne() {
        List<String> nine = Collections.nCopies(9, "\n");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").addAllStop(nine)), "stop");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").addStop("")), "stop[0]");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").addStop("###").addStop(big(1_000))),
                "stop[1]");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").addStop("a\u0000b")), "stop[0]");
        // Nested markers, newlines and other scripts are legitimate stop sequences.
        generate(GenerateRequest.newBuilder().setPrompt("x").setMaxTokens(2).addStop("\n\n###")
                .addStop("### Response: ### Response:").addStop("答案").addStop("</s>")).run();
    }

    @Test
    void outOfRangeSamplingNumbersAreInvalid() {
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setTemperature(Double.NaN)),
                "temperature");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setTemperature(-0.5)), "temperature");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x")
                .setTemperature(Double.POSITIVE_INFINITY)), "temperature");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setTopP(Double.NaN)), "top_p");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setTopP(-1)), "top_p");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setTopP(0)), "top_p");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setTopP(1.5)), "top_p");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setMaxTokens(-1)), "max_tokens");
        assertInvalid(generate(GenerateRequest.newBuilder().setPrompt("x").setMaxTokens(Integer.MAX_VALUE)),
                "max_tokens");
    }

    @Test
    void missingWrongOrMalformedTokensAreUnauthenticated() {
        var bare = InferenceGrpc.newBlockingStub(channel);
        List<Supplier<InferenceGrpc.InferenceBlockingStub>> stubs = List.of(
                () -> bare,
                () -> TestTokens.withToken(bare, "wrong-token-0123456789abcdef"),
                () -> TestTokens.withToken(bare, TestTokens.TEST_TOKEN + "x"),
                () -> TestTokens.withToken(bare, ""),
                () -> {
                    Metadata basic = new Metadata();
                    basic.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                            "Basic " + TestTokens.TEST_TOKEN);
                    return bare.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(basic));
                });
        for (Supplier<InferenceGrpc.InferenceBlockingStub> stub : stubs) {
            Status status = failure(() -> stub.get().withDeadlineAfter(10, TimeUnit.SECONDS)
                    .answer(question().build()));
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void floodingPastTheRateLimitIsResourceExhaustedForThatClientOnly() {
        // other-client: 5 calls/s, burst 5 (the %test profile).
        var other = TestTokens.withToken(InferenceGrpc.newBlockingStub(channel), TestTokens.OTHER_TOKEN);
        int exhausted = 0;
        for (int i = 0; i < 30; i++) {
            try {
                other.withDeadlineAfter(10, TimeUnit.SECONDS).answer(question().build());
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription()).contains("rate limit of client 'other-client'")
                        .contains("retry in");
                descriptions.add(e.getStatus().getDescription());
                exhausted++;
            }
        }
        assertThat(exhausted).isGreaterThanOrEqualTo(20);
        assertThat(serves()).isTrue(); // test-client has its own bucket
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try {
                return other.withDeadlineAfter(10, TimeUnit.SECONDS).answer(question().build()).getChosenCount() == 1;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
    }

    /** Generate with a hand-made request body, bypassing the client's own encoding. */
    private void rawGenerate(byte[] body) {
        rawGenerate(channel, TestTokens.TEST_TOKEN, body);
    }

    static void rawGenerate(io.grpc.Channel channel, String token, byte[] body) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
                .setFullMethodName(InferenceGrpc.getGenerateMethod().getFullMethodName())
                .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + token);
        var intercepted = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(intercepted, method,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
        while (it.hasNext()) {
            it.next();
        }
    }

    static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
