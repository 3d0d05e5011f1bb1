package io.mmedstream.eval.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Test resource: fresh model repository, reports and checkpoint directories, and the {@link FakeTriton} on an
 * in-process gRPC server named {@value #SERVER}.
 */
public class EvalTestBackend implements QuarkusTestResourceLifecycleManager {

    static final String SERVER = "fake-triton";
    static Path root;
    static FakeTriton triton;
    private Server server;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("eval-test");
            Path repository = Files.createDirectories(root.resolve("model-repository"));
            triton = new FakeTriton(repository);
            server = InProcessServerBuilder.forName(SERVER).addService(triton).build().start();
            return Map.of("mmed.eval.model-repository", repository.toString(),
                    "mmed.eval.reports-dir", root.resolve("reports").toString(),
                    "mmed.eval.consumer.retry-backoff", "100ms",
                    "mmed.eval.consumer.max-retry-backoff", "400ms");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }
}
