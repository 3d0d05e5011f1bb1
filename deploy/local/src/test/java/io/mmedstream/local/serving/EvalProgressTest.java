package io.mmedstream.local.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalProgressTest {

    @TempDir
    Path dir;

    @Test
    void theNewestLineOfTheCheckpointIsItsProgress() throws Exception {
        Path log = dir.resolve("eval.log");
        Files.writeString(log, """
                00:01 INFO  [BenchmarkRunner] (eval-generate) eval round-000001-step-80: 3/30 questions answered
                00:02 INFO  [BenchmarkRunner] (eval-generate) eval round-000002-step-80: 3/30 questions answered
                00:03 INFO  [BenchmarkRunner] (eval-generate) eval round-000001-step-80: 27/30 questions answered
                00:04 INFO  [BenchmarkRunner] (eval-generate) eval round-000002-step-80: 6/30 questions answered
                """);

        assertThat(EvalProgress.latest(log, "round-000001-step-80")).contains("27/30");
        assertThat(EvalProgress.latest(log, "round-000002-step-80")).contains("6/30");
        assertThat(EvalProgress.latest(log, "round-000003-step-80")).isEmpty();
        assertThat(EvalProgress.latest(dir.resolve("missing.log"), "round-000001-step-80")).isEmpty();
    }
}
