package io.mmedstream.eval.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryWriterTest {

    @TempDir
    Path tmp;

    @Test
    void checkpointsBecomeConsecutiveVersionsPointingAtTheirDirectoriesWithAConfig() throws Exception {
        Path c1 = Files.createDirectories(tmp.resolve("ckpt/one"));
        Path c2 = Files.createDirectories(tmp.resolve("ckpt/two"));
        ModelRepositoryWriter writer = new ModelRepositoryWriter(tmp.resolve("repo"));

        assertThat(writer.addVersion("mmed-llm", c1)).isEqualTo("1");
        assertThat(writer.addVersion("mmed-llm", c2)).isEqualTo("2");

        Path model = tmp.resolve("repo/mmed-llm");
        assertThat(Files.readString(model.resolve("config.pbtxt"))).contains("backend: \"mmed-llama\"")
                .contains("max_batch_size: 0");
        assertThat(Files.readString(model.resolve("2/model.json"))).contains(c2.toAbsolutePath().toString());
    }

    @Test
    void aCheckpointAlreadyInTheRepositoryKeepsItsVersion() throws Exception {
        Path c1 = Files.createDirectories(tmp.resolve("one"));
        ModelRepositoryWriter writer = new ModelRepositoryWriter(tmp.resolve("repo"));
        writer.addVersion("m", c1);
        Files.createDirectories(tmp.resolve("repo/m/07")); // not a Triton version (leading zero)

        assertThat(writer.addVersion("m", c1)).isEqualTo("1");
        assertThat(writer.addVersion("m", Files.createDirectories(tmp.resolve("two")))).isEqualTo("2");
    }

    @Test
    void theCandidateModelHoldsOnlyTheVersionBeingMeasuredAndTheServingModelIsUntouched() throws Exception {
        Path c1 = Files.createDirectories(tmp.resolve("ckpt/one"));
        Path c2 = Files.createDirectories(tmp.resolve("ckpt/two"));
        ModelRepositoryWriter writer = new ModelRepositoryWriter(tmp.resolve("repo"));
        String v1 = writer.addVersion("m", c1);
        writer.stageCandidate("m-candidate", v1, c1);
        String v2 = writer.addVersion("m", c2);
        writer.stageCandidate("m-candidate", v2, c2);
        writer.stageCandidate("m-candidate", v2, c2); // a re-evaluation after a restart

        Path candidate = tmp.resolve("repo/m-candidate");
        try (var children = Files.list(candidate)) {
            assertThat(children.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.pbtxt", "2");
        }
        assertThat(Files.readString(candidate.resolve("2/model.json"))).contains(c2.toAbsolutePath().toString());
        assertThat(Files.readString(candidate.resolve("config.pbtxt"))).contains("decoupled: true");
        assertThat(tmp.resolve("repo/m/1/model.json")).exists();
        assertThat(tmp.resolve("repo/m/2/model.json")).exists();
    }

    @Test
    void engineArgumentsGoIntoEveryModelJsonNextToTheCheckpoint() throws Exception {
        Path c1 = Files.createDirectories(tmp.resolve("one"));
        ModelRepositoryWriter writer = new ModelRepositoryWriter(tmp.resolve("repo"),
                ModelRepositoryWriter.parseEngineArgs("{\"gpu_memory_utilization\": 0.28, \"dtype\": \"bfloat16\"}"));
        writer.stageCandidate("m-candidate", writer.addVersion("m", c1), c1);

        for (String model : new String[] {"m", "m-candidate"}) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("repo").resolve(model)
                    .resolve("1/model.json").toFile());
            assertThat(json.path("model").asText()).isEqualTo(c1.toAbsolutePath().toString());
            assertThat(json.path("gpu_memory_utilization").asDouble()).isEqualTo(0.28);
            assertThat(json.path("dtype").asText()).isEqualTo("bfloat16");
        }
        assertThat(writer.addVersion("m", c1)).isEqualTo("1"); // still recognised as the same checkpoint

        // engine arguments changed later (e.g. to fit three engines on a GPU): the existing version gets them
        ModelRepositoryWriter lowered = new ModelRepositoryWriter(tmp.resolve("repo"),
                ModelRepositoryWriter.parseEngineArgs("{\"gpu_memory_utilization\": 0.2}"));
        assertThat(lowered.addVersion("m", c1)).isEqualTo("1");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("repo/m/1/model.json")
                .toFile());
        assertThat(json.path("gpu_memory_utilization").asDouble()).isEqualTo(0.2);
        assertThat(json.path("dtype").asText()).isEqualTo("bfloat16"); // what it did not configure stays
        assertThat(json.path("model").asText()).isEqualTo(c1.toAbsolutePath().toString());
    }

    @Test
    void badEngineArgumentsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ModelRepositoryWriter.parseEngineArgs("[0.3]"))
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> ModelRepositoryWriter.parseEngineArgs("{gpu"))
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> new ModelRepositoryWriter(tmp, ModelRepositoryWriter.parseEngineArgs(
                "{\"model\": \"/elsewhere\"}"))).hasMessageContaining("must not set \"model\"");
        assertThat(ModelRepositoryWriter.parseEngineArgs(" ")).isEmpty();
    }

    @Test
    void aMissingCheckpointDirectoryIsRefused() {
        ModelRepositoryWriter writer = new ModelRepositoryWriter(tmp.resolve("repo"));

        assertThatThrownBy(() -> writer.addVersion("m", tmp.resolve("absent")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    }
}
