package io.mmedstream.local.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A checkpoint eval gave up on evaluating, as it records it: {@value #FILE} in the checkpoint's report directory
 * ({@code {"checkpoint", "attempts", "reason", "failed_at"}}). No event says so: such a checkpoint has no
 * {@code EvalCompleted}.
 *
 * @param file where it was read
 */
public record EvalFailure(String checkpoint, int attempts, String reason, Instant failedAt, Path file) {

    /** What eval writes into a checkpoint's report directory when it gives up on it. */
    public static final String FILE = "failure.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every failure recorded under eval's reports directory, oldest first; files that cannot be read (being written)
     * are left out, an absent directory has none.
     */
    public static List<EvalFailure> readAll(Path reports) {
        List<EvalFailure> out = new ArrayList<>();
        if (!Files.isDirectory(reports)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> dirs = Files.list(reports)) {
            files = dirs.map(d -> d.resolve(FILE)).filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            return out;
        }
        for (Path file : files) {
            try {
                JsonNode node = JSON.readTree(file.toFile());
                Instant failedAt;
                try {
                    failedAt = Instant.parse(node.path("failed_at").asText());
                } catch (DateTimeParseException e) {
                    failedAt = Files.getLastModifiedTime(file).toInstant();
                }
                out.add(new EvalFailure(node.path("checkpoint").asText(""), node.path("attempts").asInt(),
                        node.path("reason").asText("no reason recorded"), failedAt, file));
            } catch (IOException e) {
                // being written: seen on the next look
            }
        }
        out.sort(Comparator.comparing(EvalFailure::failedAt));
        return out;
    }

    /** One line: the checkpoint, the attempts and the reason. */
    public String line() {
        return "gave up on " + checkpoint + " after " + attempts + " attempts (" + failedAt + "): " + reason;
    }
}
