package io.mmedstream.local.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalFailureTest {

    @TempDir
    Path reports;

    @Test
    void failuresAreReadOldestFirstAndUnreadableOnesAreLeftOut() throws Exception {
        write("b", "{\"checkpoint\": \"round-2/step-9\", \"attempts\": 3, \"reason\": \"refused\","
                + " \"failed_at\": \"2026-11-27T03:00:00Z\"}");
        write("a", "{\"checkpoint\": \"round-1/step-9\", \"attempts\": 5, \"reason\": \"corrupt\","
                + " \"failed_at\": \"2026-11-26T03:00:00Z\"}");
        write("c", "{\"checkpoint\": \"round-3"); // being written
        Files.createDirectories(reports.resolve("evaluated")).resolve("report.json").toFile().createNewFile();

        assertThat(EvalFailure.readAll(reports)).extracting(EvalFailure::checkpoint)
                .containsExactly("round-1/step-9", "round-2/step-9");
        assertThat(EvalFailure.readAll(reports).get(0).line())
                .isEqualTo("gave up on round-1/step-9 after 5 attempts (2026-11-26T03:00:00Z): corrupt");
    }

    private void write(String dir, String json) throws Exception {
        Files.writeString(Files.createDirectories(reports.resolve(dir)).resolve(EvalFailure.FILE), json);
    }
}
