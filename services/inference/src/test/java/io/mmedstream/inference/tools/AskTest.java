package io.mmedstream.inference.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.inference.api.ApiGate;
import io.mmedstream.inference.api.InferenceGrpcService;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ClientTokens;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.triton.client.TritonClient;

class AskTest {

    private static final String TOKEN = "ask-test-token-0123456789";

    @TempDir
    Path home;

    private Server backend;
    private Server api;
    private TritonClient client;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    // ---- arguments ---------------------------------------------------------------------------------------------

    @Test
    void parsesQuestionOptionsAndFlags() throws Exception {
        Ask.Args args = Ask.parse(new String[] {"Which organ filters blood?", "--option", "A=Liver", "-o",
            "B=Kidney = both", "--lang", "French", "--rationale", "--host", "inference.local", "--port", "9443",
            "--token", "t0k3n", "--ca", "ca.pem", "--timeout", "30"}, Map.of());
        assertThat(args.question()).isEqualTo("Which organ filters blood?");
        assertThat(args.options()).containsExactly(Map.entry("A", "Liver"), Map.entry("B", "Kidney = both"));
        assertThat(args.language()).isEqualTo("French");
        assertThat(args.rationale()).isTrue();
        assertThat(args.host()).isEqualTo("inference.local");
        assertThat(args.port()).isEqualTo(9443);
        assertThat(args.token()).contains("t0k3n");
        assertThat(args.tls()).isTrue();
        assertThat(args.ca()).contains(Path.of("ca.pem"));
        assertThat(args.timeoutSeconds()).isEqualTo(30);
    }

    @Test
    void defaultsAndTheTokenFromTheEnvironmentOrTheTokenFile() throws Exception {
        String[] argv = {"Q?", "--option", "A=a", "--option", "B=b"};
        Ask.Args plain = Ask.parse(argv, Map.of("MMED_HOME", home.toString()));
        assertThat(plain.host()).isEqualTo("localhost");
        assertThat(plain.port()).isEqualTo(9000);
        assertThat(plain.language()).isEmpty();
        assertThat(plain.rationale()).isFalse();
        assertThat(plain.tls()).isFalse();
        assertThat(plain.token()).isEmpty();
        Files.writeString(home.resolve("inference-token"), "from-file\n");
        assertThat(Ask.parse(argv, Map.of("MMED_HOME", home.toString())).token()).contains("from-file");
        assertThat(Ask.parse(argv, Map.of("MMED_HOME", home.toString(), "MMED_INFERENCE_TOKEN", "from-env"))
                .token()).contains("from-env");
        assertThat(Ask.parse(new String[] {"Q?", "--option", "A=a", "--option", "B=b", "--token", "flag"},
                Map.of("MMED_HOME", home.toString(), "MMED_INFERENCE_TOKEN", "from-env")).token()).contains("flag");
        assertThat(Ask.parse(argv, Map.of("MMED_INFERENCE_GRPC_PORT", "9100")).port()).isEqualTo(9100);
    }

    @Test
    void wrongArgumentsAreUsageErrors() {
        String[][] wrong = {
            {},
            {"--option", "A=a", "--option", "B=b"},
            {"Q?", "--option", "A=a"},
            {"Q?", "--option", "a=x", "--option", "B=b"},
            {"Q?", "--option", "A=x", "--option", "A=y"},
            {"Q?", "--option", "Ax"},
            {"Q?", "--option", "A=a", "--option", "B=b", "--port", "99999"},
            {"Q?", "--option", "A=a", "--option", "B=b", "--lang"},
            {"Q?", "second", "--option", "A=a", "--option", "B=b"},
            {"Q?", "--option", "A=a", "--option", "B=b", "--frobnicate"},
        };
        for (String[] argv : wrong) {
            assertThatThrownBy(() -> Ask.parse(argv, Map.of("MMED_HOME", home.toString())))
                    .isInstanceOf(Ask.UsageException.class);
            assertThat(Ask.run(argv, Map.of("MMED_HOME", home.toString()), print(out), print(err))).isEqualTo(2);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: mmed ask");
    }

    // ---- against a server ------------------------------------------------------------------------------------------

    @BeforeEach
    void start() throws Exception {
        String backendName = "instant-" + UUID.randomUUID();
        backend = InProcessServerBuilder.forName(backendName).addService(
                new InstantTritonBackend(Map.of("mmed", Set.of(3L))).load("mmed", 3)).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(backendName).build();
        client = new TritonClient(channel, TritonClient.Deadlines.defaults(), true, true);
        ModelRouter router = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofMillis(10), Clock.systemUTC());
        router.adopt(ServingModel.of("mmed", "3"));
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        GenerationService generations = new GenerationService(client, router, new ConcurrencyLimiter(4));
        InferenceGrpcService service = new InferenceGrpcService(new RequestValidator(256, 4096), generations,
                new AnswerService(generations, 32, 64), router, metrics);
        api = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0))
                .addService(ServerInterceptors.intercept(service,
                        new ApiGate(ClientTokens.parse("local=" + TOKEN), null, metrics)))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        client.close();
        backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private int ask(Map<String, String> env, String... extra) {
        String[] base = {"Which organ filters blood?", "--option", "A=Liver", "--option", "B=Kidney", "--port",
            Integer.toString(api.getPort())};
        String[] argv = new String[base.length + extra.length];
        System.arraycopy(base, 0, argv, 0, base.length);
        System.arraycopy(extra, 0, argv, base.length, extra.length);
        return Ask.run(argv, env, print(out), print(err));
    }

    @Test
    void printsTheChosenLetterAndTheModelVersion() throws Exception {
        Files.writeString(home.resolve("inference-token"), TOKEN);
        assertThat(ask(Map.of("MMED_HOME", home.toString()), "--rationale", "--lang", "fr")).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).containsPattern("Answer: [AB] \\((Liver|Kidney)\\)");
        assertThat(printed).contains("Rationale: ").contains("Model: mmed version 3");
    }

    @Test
    void aMissingOrWrongTokenIsExitCodeTwoWithAClearMessage() {
        assertThat(ask(Map.of("MMED_HOME", home.toString()))).isEqualTo(2);
        assertThat(ask(Map.of("MMED_HOME", home.toString()), "--token", "wrong-token-0123456789")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused the token")
                .doesNotContain("wrong-token-0123456789");
    }

    @Test
    void aStackThatIsNotRunningIsExitCodeTwo() throws Exception {
        int port = api.getPort();
        api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        assertThat(Ask.run(new String[] {"Q?", "--option", "A=a", "--option", "B=b", "--port",
            Integer.toString(port), "--token", TOKEN}, Map.of(), print(out), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not reachable at localhost:" + port)
                .contains("./mmed up");
    }

    @Test
    void aRefusedQuestionIsExitCodeOne() {
        assertThat(ask(Map.of(), "--token", TOKEN, "--lang", "Klingon")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("INVALID_ARGUMENT").contains("language:");
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
