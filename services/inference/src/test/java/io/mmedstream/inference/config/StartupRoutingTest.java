package io.mmedstream.inference.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.inference.tools.InstantTritonBackend;
import io.mmedstream.triton.client.ModelStatus;
import io.mmedstream.triton.client.TritonClient;

/**
 * What serves first after a start, against a KServe v2 backend that holds model {@code mmed} versions 1..3 and has
 * version 3 loaded and ready, as a candidate eval is evaluating would be on a shared backend.
 */
class StartupRoutingTest {

    private final String name = "backend-" + UUID.randomUUID();
    private Server server;
    private ManagedChannel channel;
    private TritonClient client;
    private ModelRouter router;

    @BeforeEach
    void start() throws Exception {
        InstantTritonBackend backend = new InstantTritonBackend(Map.of("mmed", Set.of(1L, 2L, 3L))).load("mmed", 3);
        server = InProcessServerBuilder.forName(name).addService(backend).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        client = new TritonClient(channel, TritonClient.Deadlines.defaults(), true, false);
        router = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(10), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void followingPromotionsNeverAdoptsAReadyVersion() {
        assertThat(StartupRouting.firstRoute(router, client, "mmed", Optional.empty(), false)).isTrue();
        assertThat(router.serving()).isEmpty();
    }

    @Test
    void withoutPromotionsTheHighestReadyVersionIsAdopted() {
        assertThat(StartupRouting.firstRoute(router, client, "mmed", Optional.empty(), true)).isTrue();
        assertThat(router.serving().orElseThrow().model().version()).isEqualTo("3");
    }

    @Test
    void withoutPromotionsAndNothingReadyItTriesAgainLater() {
        assertThat(StartupRouting.firstRoute(router, client, "other", Optional.empty(), true)).isFalse();
        assertThat(router.serving()).isEmpty();
    }

    @Test
    void theInitialVersionIsLoadedAndServedInEitherMode() {
        assertThat(StartupRouting.firstRoute(router, client, "mmed", Optional.of("2"), false)).isTrue();
        assertThat(router.serving().orElseThrow().model().version()).isEqualTo("2");
        assertThat(client.index(true)).extracting(ModelStatus::version).containsExactly("2");

        ModelRouter other = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofMillis(10), Clock.systemUTC());
        assertThat(StartupRouting.firstRoute(other, client, "mmed", Optional.of("1"), true)).isTrue();
        assertThat(other.serving().orElseThrow().model().version()).isEqualTo("1");
    }

    @Test
    void aVersionThatAlreadyServesIsKept() {
        router.promote("mmed", "1");
        assertThat(StartupRouting.firstRoute(router, client, "mmed", Optional.of("2"), true)).isTrue();
        assertThat(router.serving().orElseThrow().model().version()).isEqualTo("1");
    }
}
