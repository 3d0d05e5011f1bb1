package io.mmedstream.inference.api;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.modelserver.api.TritonInferenceService;
import io.mmedstream.modelserver.engine.ComputePool;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.service.InferenceRunner;
import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelRepository;
import io.mmedstream.modelserver.service.ModelServerMetrics;
import io.mmedstream.modelserver.service.ServerState;
import io.mmedstream.triton.client.TritonClient;

/** Backends for tests in other packages. */
public final class TestBackends {

    private TestBackends() {
    }

    /** The real local model server in-process over a repository of tiny checkpoints, and a client of it. */
    public record ModelServer(TritonClient client, AutoCloseable resources) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            resources.close();
        }
    }

    /** Writes {@code <root>/<model>/} with these versions and serves it; nothing is loaded yet. */
    public static ModelServer modelServer(Path root, String model, int... versions) throws IOException {
        TinyModelRepository.write(root, model, versions);
        ComputePool pool = new ComputePool(1);
        ModelRepository repo = new ModelRepository(root);
        ModelManager models = new ModelManager(repo, (dir, config) -> LoadedCheckpoint.load(dir, pool,
                config.maxContext()), Duration.ofSeconds(30));
        InferenceRunner runner = new InferenceRunner(4, 64);
        ServerState state = new ServerState(repo);
        state.markStarted();
        String name = "model-server-" + UUID.randomUUID();
        Server server = InProcessServerBuilder.forName(name).addService(new TritonInferenceService(models, runner,
                new ModelServerMetrics(new SimpleMeterRegistry()), state, "mmed-model-server", "test")).build()
                .start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
        TritonClient client = new TritonClient(channel, TritonClient.Deadlines.defaults(), true, false);
        return new ModelServer(client, () -> {
            client.close();
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            runner.close();
            models.close();
            pool.close();
        });
    }
}
