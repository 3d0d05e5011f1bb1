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
    void aMissingCheckpointDirectoryIsRefused() {
        ModelRepositoryWriter writer = new ModelRepositoryWriter(tmp.resolve("repo"));

        assertThatThrownBy(() -> writer.addVersion("m", tmp.resolve("absent")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    }
}
