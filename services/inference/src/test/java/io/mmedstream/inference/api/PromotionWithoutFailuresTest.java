package io.mmedstream.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.ManagedChannel;
import io.grpc.Server;
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
import io.mmedstream.modelserver.api.TritonInferenceService;
import io.mmedstream.modelserver.engine.ComputePool;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.service.InferenceRunner;
import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelRepository;
import io.mmedstream.modelserver.service.ModelServerMetrics;
import io.mmedstream.modelserver.service.ServerState;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.triton.client.ModelStatus;
import io.mmedstream.triton.client.TritonClient;

/**
 * Promotions while requests keep flowing, against the real local model server (its KServe v2 gRPC service, explicit
 * model control and generation over real checkpoints) on an in-process channel: no request fails, requests move to
 * the new version, and the old one is unloaded once its requests are done.
 */
class PromotionWithoutFailuresTest {

    @TempDir
    Path repository;

    private final String backendName = "model-server-" + UUID.randomUUID();
    private final String apiName = "inference-" + UUID.randomUUID();
    private ComputePool pool;
    private ModelManager models;
    private InferenceRunner runner;
    private TritonInferenceService backendService;
    private Server backend;
    private Server api;
    private ManagedChannel backendChannel;
    private ManagedChannel apiChannel;
    private TritonClient client;
    private ModelRouter router;

    @BeforeEach
    void start() throws Exception {
        TinyModelRepository.write(repository, "mmed", 1, 2, 3);
        pool = new ComputePool(1);
        ModelRepository repo = new ModelRepository(repository);
        models = new ModelManager(repo, (dir, config) -> LoadedCheckpoint.load(dir, pool, config.maxContext()),
                Duration.ofSeconds(30));
        runner = new InferenceRunner(4, 64);
        ServerState state = new ServerState(repo);
        state.markStarted();
        backendService = new TritonInferenceService(models, runner, new ModelServerMetrics(new SimpleMeterRegistry()),
                state, "mmed-model-server", "test");
        backend = InProcessServerBuilder.forName(backendName).addService(backendService).build().start();
        backendChannel = InProcessChannelBuilder.forName(backendName).maxInboundMessageSize(Integer.MAX_VALUE).build();
        client = new TritonClient(backendChannel, TritonClient.Deadlines.defaults(), true, false);
        router = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMillis(20), Clock.systemUTC());
        GenerationService generations = new GenerationService(client, router, new ConcurrencyLimiter(16));
        api = InProcessServerBuilder.forName(apiName).addService(new InferenceGrpcService(
                new RequestValidator(256, 4096), generations, new AnswerService(generations, 32, 512), router,
                new InferenceMetrics(new SimpleMeterRegistry()))).build().start();
        apiChannel = InProcessChannelBuilder.forName(apiName).build();
    }

    @AfterEach
    void stop() throws Exception {
        apiChannel.shutdownNow();
        api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        client.close();
        backendChannel.shutdownNow();
        backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        runner.close();
        models.close();
        pool.close();
    }

    private List<String> readyVersions() {
        List<String> out = new ArrayList<>();
        for (ModelStatus s : client.index(true)) {
            if (s.name().equals("mmed")) {
                out.add(s.version());
            }
        }
        return out;
    }

    @Test
    void requestsKeepSucceedingThroughTwoPromotions() throws Exception {
        router.promote("mmed", "1");
        assertThat(readyVersions()).containsExactly("1");

        AtomicBoolean running = new AtomicBoolean(true);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> completedByVersion = new ConcurrentHashMap<>();
        AtomicInteger completed = new AtomicInteger();
        int clients = 4;
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            loops.add(threads.submit(() -> {
                InferenceGrpc.InferenceBlockingStub stub = InferenceGrpc.newBlockingStub(apiChannel);
                int n = 0;
                while (running.get()) {
                    try {
                        StringBuilder text = new StringBuilder();
                        GenerateResponse last = null;
                        var it = stub.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                                .setPrompt("Patient " + id + " visit " + n++ + ": fever and cough")
                                .setMaxTokens(24).setTemperature(0.8).setSeed(n).build());
                        while (it.hasNext()) {
                            last = it.next();
                            text.append(last.getText());
                        }
                        assertThat(last).isNotNull();
                        assertThat(last.getFinal()).isTrue();
                        assertThat(last.getUsage().getCompletionTokens()).isPositive();
                        completedByVersion.computeIfAbsent(last.getModel().getVersion(), v -> new AtomicInteger())
                                .incrementAndGet();
                        completed.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= 8);
        router.promote("mmed", "2");
        int afterFirst = completed.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= afterFirst + 8);
        router.promote("mmed", "3");
        int afterSecond = completed.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= afterSecond + 8);
        running.set(false);
        for (Future<?> loop : loops) {
            loop.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();

        assertThat(failures).isEmpty();
        assertThat(completedByVersion.keySet()).containsExactlyInAnyOrder("1", "2", "3");
        assertThat(router.serving().orElseThrow().model().version()).isEqualTo("3");
        // The old versions were unloaded once their requests were done.
        await().atMost(Duration.ofSeconds(30)).until(() -> readyVersions().equals(List.of("3")));
    }
}
