package io.mmedstream.modelserver.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.modelserver.engine.ComputePool;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.engine.TinyCheckpoint;
import io.mmedstream.modelserver.service.InferenceRunner;
import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelRepository;
import io.mmedstream.modelserver.service.ModelServerMetrics;
import io.mmedstream.modelserver.service.ServerState;

/**
 * The model server's gRPC service on an in-process gRPC server (real gRPC calls, real serialization, no sockets) over
 * a repository of tiny random checkpoints: {@code mmed} (decoupled, the vLLM-like streaming model), {@code unary}
 * (same weights, not decoupled) and {@code idle} (never loaded by the fixture).
 */
public final class InProcessModelServer implements AutoCloseable {

    public static final String DECOUPLED = "mmed";
    public static final String UNARY = "unary";
    public static final String IDLE = "idle";

    public final Path repository;
    public final ComputePool pool = new ComputePool(2);
    public final ModelManager models;
    public final InferenceRunner runner;
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final TritonInferenceService service;
    private final Server server;
    private final String name = "model-server-" + UUID.randomUUID();

    public InProcessModelServer(Path repository, int generationThreads, int queue) throws Exception {
        this.repository = repository;
        model(DECOUPLED, "backend: \"mmed-llama\"\nmax_batch_size: 0\nmodel_transaction_policy { decoupled: true }\n");
        model(UNARY, "backend: \"mmed-llama\"\nmodel_transaction_policy { decoupled: false }\n");
        model(IDLE, "backend: \"mmed-llama\"\n"); // decoupled by default
        ModelRepository repo = new ModelRepository(repository);
        models = new ModelManager(repo, (dir, config) -> LoadedCheckpoint.load(dir, pool, config.maxContext()),
                Duration.ofSeconds(30));
        models.load(DECOUPLED, null);
        models.load(UNARY, null);
        runner = new InferenceRunner(generationThreads, queue);
        ServerState state = new ServerState(repo);
        state.markStarted();
        service = new TritonInferenceService(models, runner, new ModelServerMetrics(registry), state,
                "mmed-model-server", "test");
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
    }

    private void model(String model, String config) throws Exception {
        Path dir = Files.createDirectories(repository.resolve(model));
        Files.writeString(dir.resolve("config.pbtxt"), config);
        TinyCheckpoint.write(dir.resolve("1"), 1);
    }

    /** A new channel to the server (close it after use). */
    public ManagedChannel channel() {
        return InProcessChannelBuilder.forName(name).build();
    }

    @Override
    public void close() throws Exception {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        service.stop();
        runner.close();
        models.close();
        pool.close();
    }
}
