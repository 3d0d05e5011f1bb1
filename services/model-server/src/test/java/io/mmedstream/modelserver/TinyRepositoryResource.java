package io.mmedstream.modelserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.mmedstream.modelserver.engine.TinyCheckpoint;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A model repository with two tiny models that the server loads at start-up: {@code mmed} (decoupled, streaming) and
 * {@code plain} (not decoupled, for ModelInfer).
 */
public class TinyRepositoryResource implements QuarkusTestResourceLifecycleManager {

    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("model-repository");
            Path model = Files.createDirectories(root.resolve("mmed"));
            Files.writeString(model.resolve("config.pbtxt"), """
                    backend: "mmed-llama"
                    max_batch_size: 0
                    model_transaction_policy { decoupled: true }
                    """);
            TinyCheckpoint.write(model.resolve("1"), 3);
            Path plain = Files.createDirectories(root.resolve("plain"));
            Files.writeString(plain.resolve("config.pbtxt"),
                    "backend: \"mmed-llama\"\nmodel_transaction_policy { decoupled: false }\n");
            // Larger than "mmed" (4 layers, d=128, context 1024) and without an end of sequence: a long generation on
            // it takes far longer than the deadline ModelServerAppTest gives it, on any machine.
            TinyCheckpoint.write(plain.resolve("1"), 4, 128, 256, 4, 4, 2, TinyCheckpoint.VOCAB, 1024, false);
            // The same, streaming: a generation still running when the client cancels it.
            Path endless = Files.createDirectories(root.resolve("endless"));
            Files.writeString(endless.resolve("config.pbtxt"), """
                    backend: "mmed-llama"
                    max_batch_size: 0
                    model_transaction_policy { decoupled: true }
                    """);
            TinyCheckpoint.write(endless.resolve("1"), 4, 128, 256, 4, 4, 2, TinyCheckpoint.VOCAB, 1024, false);
            return Map.of("mmed.model-server.repository.path", root.toString(),
                    "mmed.model-server.repository.load-on-startup", "mmed,plain,endless");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
