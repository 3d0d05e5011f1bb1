package io.mmedstream.local.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingDriverTest {

    @TempDir
    Path reports;

    @Test
    void aCheckpointEvalGaveUpOnIsFoundWithItsReason() throws Exception {
        Instant since = Instant.now().minusSeconds(5);
        Files.createDirectories(reports.resolve("round-1-step-80"));
        Files.writeString(reports.resolve("round-1-step-80").resolve("failure.json"), """
                {"checkpoint": "round-1/step-80", "attempts": 3, "reason": "TritonException: INVALID_ARGUMENT: bad weights"}
                """);
        Files.createDirectories(reports.resolve("other"));
        Files.writeString(reports.resolve("other").resolve("report.json"), "{}");

        assertThat(ServingDriver.gaveUp(reports, "round-1/step-80", since)).hasValueSatisfying(why -> assertThat(why)
                .contains("INVALID_ARGUMENT: bad weights").contains("after 3 attempts"));
        assertThat(ServingDriver.gaveUp(reports, "round-2/step-80", since)).isEmpty();
    }

    @Test
    void aFailureFromAnEarlierRunOrNoReportsAtAllIsNotOne() throws Exception {
        Path file = Files.createDirectories(reports.resolve("c")).resolve("failure.json");
        Files.writeString(file, "{\"checkpoint\": \"c\", \"attempts\": 3, \"reason\": \"old\"}");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));

        assertThat(ServingDriver.gaveUp(reports, "c", Instant.now().minusSeconds(60))).isEmpty();
        assertThat(ServingDriver.gaveUp(reports.resolve("absent"), "c", Instant.now())).isEmpty();
    }
}
