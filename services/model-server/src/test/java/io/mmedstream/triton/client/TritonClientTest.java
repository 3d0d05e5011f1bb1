package io.mmedstream.triton.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.grpc.Status;
import io.mmedstream.modelserver.api.InProcessModelServer;
import io.mmedstream.modelserver.engine.DecodingParams;
import io.mmedstream.modelserver.engine.TextGenerator;
import io.mmedstream.modelserver.engine.TinyCheckpoint;
import io.mmedstream.modelserver.engine.TrainerFixtures;

/** The client against the local model server, in process. */
class TritonClientTest {

    private static final String PROMPT = "The patient has a fever and";

    @TempDir
    static Path tmp;
    private static InProcessModelServer server;
    private static TritonClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessModelServer(tmp.resolve("repo"), 2, 8);
        client = new TritonClient(server.channel(), TritonClient.Deadlines.defaults(), true, true);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static TextGenerator.Completion direct(String model, DecodingParams params) {
        return server.models.servingVersion(model, "").generator().generate(PROMPT, params, null, null);
    }

    @Test
    void generateStreamsChunksAndCompletesOnTheFinalResponse() {
        List<String> chunks = new CopyOnWriteArrayList<>();
        GenerationResult result = TritonClient.await(client.generate(InProcessModelServer.DECOUPLED, PROMPT,
                SamplingParams.greedy(24), chunks::add));
        TextGenerator.Completion expected = direct(InProcessModelServer.DECOUPLED, DecodingParams.greedy(24));

        assertThat(result.text()).isEqualTo(expected.text());
        assertThat(String.join("", chunks)).isEqualTo(result.text());
        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(result.promptTokens()).isEqualTo(expected.promptTokens());
        assertThat(result.completionTokens()).isEqualTo(24);
        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.modelVersion()).isEqualTo("1");
    }

    @Test
    void samplingParametersReachTheServer() {
        String free = direct(InProcessModelServer.DECOUPLED, DecodingParams.greedy(30)).text();
        String stop = free.substring(5, 7);
        GenerationResult stopped = TritonClient.await(client.generate(InProcessModelServer.DECOUPLED, PROMPT,
                SamplingParams.greedy(30).withStop(List.of(stop)), null));
        assertThat(stopped.text()).isEqualTo(free.substring(0, free.indexOf(stop)));
        assertThat(stopped.finishReason()).isEqualTo("stop");

        GenerationResult a = TritonClient.await(client.generate(InProcessModelServer.DECOUPLED, PROMPT,
                SamplingParams.sampled(16, 1.0, 0.95, 5L), null));
        GenerationResult b = TritonClient.await(client.generate(InProcessModelServer.DECOUPLED, PROMPT,
                SamplingParams.sampled(16, 1.0, 0.95, 5L), null));
        assertThat(a.text()).isEqualTo(b.text());
    }

    @Test
    void inferReturnsTheCompletionOfANonDecoupledModel() {
        GenerationResult r = client.infer(InProcessModelServer.UNARY, "", PROMPT, SamplingParams.greedy(6));
        assertThat(r.text()).isEqualTo(direct(InProcessModelServer.UNARY, DecodingParams.greedy(6)).text());
        assertThat(r.completionTokens()).isEqualTo(6);
        assertThatThrownBy(() -> client.infer(InProcessModelServer.DECOUPLED, "", PROMPT, SamplingParams.greedy(6)))
                .isInstanceOfSatisfying(TritonException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    @Test
    void modelControlLoadReadyIndexUnload() {
        assertThat(client.serverLive()).isTrue();
        assertThat(client.serverReady()).isTrue();
        assertThat(client.ready(InProcessModelServer.IDLE)).isFalse();
        client.load(InProcessModelServer.IDLE);
        assertThat(client.ready(InProcessModelServer.IDLE)).isTrue();
        assertThat(client.ready(InProcessModelServer.IDLE, "1")).isTrue();
        assertThat(client.index(true)).contains(new ModelStatus(InProcessModelServer.IDLE, "1", "READY", ""));
        client.unload(InProcessModelServer.IDLE);
        assertThat(client.ready(InProcessModelServer.IDLE)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.index(false).contains(
                new ModelStatus(InProcessModelServer.IDLE, "1", "UNAVAILABLE", "unloaded")));
    }

    @Test
    void failuresCarryTheStatusCode() {
        assertThatThrownBy(() -> TritonClient.await(client.generate("nope", PROMPT, SamplingParams.greedy(2), null)))
                .isInstanceOfSatisfying(TritonException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> TritonClient.await(client.generate(InProcessModelServer.IDLE, "9", PROMPT,
                SamplingParams.greedy(2), null)))
                .isInstanceOfSatisfying(TritonException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> TritonClient.await(client.generate(InProcessModelServer.DECOUPLED, PROMPT,
                new SamplingParams(2, -1.0, null, null, null, null), null)))
                .isInstanceOfSatisfying(TritonException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("temperature");
                });
        assertThatThrownBy(() -> client.infer("nope", "", PROMPT, SamplingParams.greedy(2)))
                .isInstanceOfSatisfying(TritonException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> client.load("nope"))
                .isInstanceOfSatisfying(TritonException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void cancellingTheFutureCancelsTheCallOnTheServer() throws Exception {
        CountDownLatch firstChunk = new CountDownLatch(1);
        CompletableFuture<GenerationResult> generation = client.generate(InProcessModelServer.DECOUPLED,
                "z".repeat(100), new SamplingParams(150, 0.0, null, null, null, null), c -> firstChunk.countDown());
        assertThat(firstChunk.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(generation.cancel(true)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.runner.pending() == 0);
        assertThat(server.registry.find("mmed.inference.requests").tag("outcome", "cancelled").counter()).isNotNull();
    }

    @Test
    void aGenerationPastItsDeadlineFailsWithDeadlineExceeded() {
        try (TritonClient hasty = new TritonClient(server.channel(), new TritonClient.Deadlines(Duration.ofSeconds(5),
                Duration.ofMillis(30), Duration.ofSeconds(5)), true, true)) {
            assertThatThrownBy(() -> TritonClient.await(hasty.generate(InProcessModelServer.DECOUPLED,
                    "w".repeat(120), new SamplingParams(130, 0.0, null, null, null, null), null)))
                    .isInstanceOfSatisfying(TritonException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"f32-gqa", "bf16-tied-sharded", "f16-mha"})
    void aTrainerCheckpointServedByTheServerGeneratesThePyTorchGreedyText(String variant) throws Exception {
        JsonNode expected = TrainerFixtures.expected(variant);
        String model = "trained-" + variant;
        Path version = Files.createDirectories(server.repository.resolve(model + "/1"));
        try (var files = Files.list(TrainerFixtures.folder().resolve(variant))) {
            for (Path f : files.toList()) {
                Files.copy(f, version.resolve(f.getFileName()));
            }
        }
        TinyCheckpoint.writeTokenizer(version); // the fixture's ids are this tokenizer's (bytes, 259 <s>, 260 </s>)
        Files.writeString(server.repository.resolve(model + "/config.pbtxt"),
                "backend: \"mmed-llama\"\nmodel_transaction_policy { decoupled: true }\n");
        client.load(model);

        int[] greedy = new int[expected.get("greedy").size()];
        int n = 0;
        for (JsonNode id : expected.get("greedy")) {
            if (id.asInt() == TinyCheckpoint.EOS) {
                break;
            }
            greedy[n++] = id.asInt();
        }
        GenerationResult result = TritonClient.await(client.generate(model, expected.get("prompt_text").asText(),
                SamplingParams.greedy(expected.get("greedy").size()), null));
        assertThat(result.text()).isEqualTo(decode(version, java.util.Arrays.copyOf(greedy, n)));
        assertThat(result.completionTokens()).isEqualTo(n == greedy.length ? n : n + 1);
        client.unload(model);
    }

    private static String decode(Path dir, int[] ids) {
        try (var tokenizer = io.mmedstream.modelserver.engine.CheckpointTokenizer.load(dir)) {
            return tokenizer.decode(ids, true);
        }
    }
}
