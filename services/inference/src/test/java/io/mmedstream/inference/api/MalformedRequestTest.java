package io.mmedstream.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.triton.client.TritonClient;

/**
 * A request that is not valid protobuf (a string field holding bytes that are not UTF-8) on grpc-java's server, which
 * the separate gRPC port runs on, is INVALID_ARGUMENT naming the request (gRPC alone would answer UNKNOWN).
 */
class MalformedRequestTest {

    /** A GenerateRequest whose prompt (field 1) holds bytes that are not UTF-8. */
    static final byte[] INVALID_UTF8_PROMPT = {0x0A, 6, 'H', 'i', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE};

    private final String name = "strict-" + UUID.randomUUID();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        TritonClient client = new TritonClient(InProcessChannelBuilder.forName("nowhere-" + name).build(),
                TritonClient.Deadlines.defaults(), true, true);
        ModelRouter router = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMillis(10), Clock.systemUTC());
        GenerationService generations = new GenerationService(client, router, new ConcurrencyLimiter(1));
        server = InProcessServerBuilder.forName(name).addService(new InferenceGrpcService(
                new RequestValidator(256, 4096), generations, new AnswerService(generations, 8, 8), router,
                new InferenceMetrics(new SimpleMeterRegistry())))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void invalidUtf8InAStringFieldIsInvalidArgument() {
        assertThatThrownBy(() -> AdversarialInputTest.rawGenerate(channel, "unused", INVALID_UTF8_PROMPT))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("request: not a valid GenerateRequest");
                });
    }

    @Test
    void aValidRequestStillReachesTheService() {
        // No model serves here: the service itself answers (UNAVAILABLE), so parsing let the request through.
        byte[] valid = {0x0A, 2, 'H', 'i'};
        assertThatThrownBy(() -> AdversarialInputTest.rawGenerate(channel, "unused", valid))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
}
