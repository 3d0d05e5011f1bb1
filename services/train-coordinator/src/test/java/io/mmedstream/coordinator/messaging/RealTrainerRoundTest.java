package io.mmedstream.coordinator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.coordinator.dispatch.PythonLocator;
import io.mmedstream.coordinator.service.FileUris;
import io.mmedstream.coordinator.testing.CoordinatorTopics;
import io.mmedstream.coordinator.testing.CoordinatorTopicsResource;
import io.mmedstream.coordinator.testing.ShardFiles;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.TrainingRoundChanged;
import io.mmedstream.proto.TrainingRoundState;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Real shard files (written here in the format of services/tokenize/SHARD-FORMAT.md) and their ShardReady
 * announcements lead to a round that the real trainer (services/trainer, run by the local dispatcher) trains on a
 * fresh tiny model, and to a CheckpointReady for a real Hugging Face checkpoint. Skipped, with the reason, when the
 * trainer or a Python with PyTorch is missing.
 */
@QuarkusTest
@TestProfile(RealTrainerRoundTest.Profile.class)
@WithTestResource(CoordinatorTopicsResource.class)
class RealTrainerRoundTest {

    private static final Path TRAINER = Path.of("..", "trainer").toAbsolutePath().normalize();
    private static final int VOCAB = 300;
    private static final int EOS = 2;
    private static final int SEQ_LEN = 32;

    /** A short round of a tiny model on two cores. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> c = new HashMap<>();
            c.put("mmed.coordinator.local.trainer-dir", TRAINER.toString());
            c.put("mmed.coordinator.local.threads", "2");
            c.put("mmed.coordinator.policy.min-new-tokens", "2000");
            c.put("mmed.coordinator.training.epochs", "2");
            c.put("mmed.coordinator.training.max-steps", "40");
            c.put("mmed.coordinator.training.save-every", "20");
            c.put("mmed.coordinator.rounds.max-attempts", "1");
            return c;
        }
    }

    @Test
    void realShardsBecomeACheckpointTrainedByTheRealTrainer() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(TRAINER.resolve("mmed_trainer")),
                "services/trainer is not in this checkout: the real-trainer round is skipped");
        Optional<String> problem = pythonProblem();
        Assumptions.assumeTrue(problem.isEmpty(), () -> "no Python with PyTorch: " + problem.orElse("")
                + "; the real-trainer round is skipped");

        CoordinatorTopics topics = CoordinatorTopicsResource.topics();
        ShardFiles storage = new ShardFiles(CoordinatorTopicsResource.root().resolve("shards"), VOCAB, EOS);
        ShardReady first = storage.write("test-p000-o000000000000", SEQ_LEN, docs("en", 3, 20));
        ShardReady second = storage.write("test-p001-o000000000000", SEQ_LEN, docs("fr", 120, 20));
        topics.send(topics.shards, 0, first.getShardId(), first);
        topics.send(topics.shards, 1, second.getShardId(), second);

        CheckpointReady checkpoint = await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    TrainingRoundChanged round = latest(topics);
                    if (round != null && round.getState() == TrainingRoundState.FAILED) {
                        throw new AssertionError("the round failed: " + round.getFailureReason() + ": "
                                + round.getFailureMessage());
                    }
                    var all = topics.readAll(topics.checkpoints, CheckpointReady.class);
                    return all.isEmpty() ? null : all.get(0).value();
                }, c -> c != null);

        TrainingRoundChanged round = latest(topics);
        assertThat(round.getState()).isEqualTo(TrainingRoundState.SUCCEEDED);
        assertThat(round.getTotalSteps()).isEqualTo(checkpoint.getStep());
        assertThat(checkpoint.getStep()).isBetween(30, 40);
        assertThat(checkpoint.getFinalTrainLoss()).isLessThan(checkpoint.getFirstTrainLoss());
        assertThat(checkpoint.getTokensPerLang()).containsKeys("en", "fr");
        assertThat(checkpoint.getTokenizerSha256()).isEqualTo(storage.tokenizerSha256());
        assertThat(checkpoint.getParentCheckpointUri()).isNull();
        Path dir = FileUris.toPath(checkpoint.getUri());
        assertThat(dir.getFileName().toString()).isEqualTo(String.format("checkpoint-%08d", checkpoint.getStep()));
        assertThat(dir.resolve("model.safetensors")).isRegularFile();
        assertThat(dir.resolve("tokenizer.json")).isRegularFile();
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertThat(config.get("vocab_size").asInt()).isEqualTo(VOCAB);
        assertThat(config.get("hidden_size").asInt()).isEqualTo(128);
    }

    /** Documents of one language: a short token cycle repeated, so that a tiny model can learn it. */
    private static List<ShardFiles.Doc> docs(String lang, int firstToken, int count) {
        List<ShardFiles.Doc> docs = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            int[] tokens = new int[60];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = firstToken + (i + d) % 20;
            }
            docs.add(new ShardFiles.Doc(lang, tokens));
        }
        return docs;
    }

    private static Optional<String> pythonProblem() {
        try {
            new PythonLocator(Optional.empty(), PythonLocator.CANDIDATES).python();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static TrainingRoundChanged latest(CoordinatorTopics topics) {
        return topics.readAll(topics.rounds, TrainingRoundChanged.class).stream().map(r -> r.value())
                .filter(r -> r.getRoundId().equals("round-000001"))
                .max(java.util.Comparator.comparingLong(TrainingRoundChanged::getRevision)).orElse(null);
    }
}
