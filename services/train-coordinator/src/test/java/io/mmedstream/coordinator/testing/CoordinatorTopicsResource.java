package io.mmedstream.coordinator.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.mmedstream.kafka.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Test resource of the coordinator's {@code @QuarkusTest}s: the shared embedded broker, a private set of topics and
 * private work and checkpoint folders (so that test classes never see each other's rounds), and, with the init
 * argument {@code trainer=<FakeTrainer.Mode>}, a fake trainer process instead of the real one.
 */
public class CoordinatorTopicsResource implements QuarkusTestResourceLifecycleManager {

    private static volatile CoordinatorTopics current;
    private static volatile Path currentRoot;
    private String trainer;

    /** The topics of the running test class. */
    public static CoordinatorTopics topics() {
        return current;
    }

    /** The folder holding the running test class's rounds/ and checkpoints/. */
    public static Path root() {
        return currentRoot;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        trainer = initArgs.get("trainer");
    }

    @Override
    public Map<String, String> start() {
        CoordinatorTopics topics = CoordinatorTopics.create();
        Path root = Path.of("target", "coordinator-tests", UUID.randomUUID().toString().substring(0, 8))
                .toAbsolutePath();
        Map<String, String> config = new HashMap<>(topics.config());
        config.put("kafka.bootstrap.servers", KafkaTestResource.bootstrapServers());
        config.put("mmed.coordinator.local.work-dir", root.resolve("rounds").toString());
        config.put("mmed.coordinator.local.checkpoints-dir", root.resolve("checkpoints").toString());
        if (trainer != null) {
            config.put("mmed.coordinator.local.command",
                    String.join(",", FakeTrainer.command(root, FakeTrainer.Mode.valueOf(trainer))));
        }
        current = topics;
        currentRoot = root;
        return config;
    }

    @Override
    public void stop() {
        // the topics stay on the shared broker, which dies with the JVM
    }
}
