package io.mmedstream.local.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.submit.JsonLines;

/**
 * A benchmark corpus: JSON Lines (plain or gzip) of {@code {"lang"?: "en", "text": "..."}}, held in memory so
 * that reading the file is not part of any measurement. Each document becomes a submission with
 * {@code source: "bench"}.
 */
public final class BenchCorpus {

    /** The source name every bench submission carries. */
    public static final String SOURCE = "bench";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One document: its declared language (may be null), its text, and the submission made from it. */
    public record BenchDocument(String lang, String text, byte[] submission) {

        /** UTF-8 size of the text: what MB/s figures count. */
        public int textBytes() {
            return text.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private final List<BenchDocument> documents;
    private final long textBytes;

    private BenchCorpus(List<BenchDocument> documents) {
        this.documents = List.copyOf(documents);
        this.textBytes = documents.stream().mapToLong(BenchDocument::textBytes).sum();
    }

    /**
     * Reads {@code file}.
     *
     * @throws CommandException when the file is missing, or a line is not {@code {lang?, text}}
     */
    public static BenchCorpus read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CommandException("benchmark corpus not found: " + file.toAbsolutePath()
                    + ". Give a JSON Lines file (.jsonl or .jsonl.gz) of {\"lang\", \"text\"} with --corpus PATH,"
                    + " e.g. ../shared/data/bench-corpus.jsonl.gz");
        }
        List<BenchDocument> docs = new ArrayList<>();
        try (JsonLines lines = JsonLines.open(file)) {
            byte[] line;
            while ((line = lines.next()) != null) {
                try {
                    docs.add(toDocument(line));
                } catch (IllegalArgumentException e) {
                    throw new CommandException(file + " line " + lines.lineNumber() + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (docs.isEmpty()) {
            throw new CommandException(file + " holds no documents");
        }
        return new BenchCorpus(docs);
    }

    /**
     * Turns one corpus line into a document and its submission.
     *
     * @throws IllegalArgumentException when the line is not a JSON object with a string {@code text}
     */
    public static BenchDocument toDocument(byte[] line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"lang\", \"text\"}");
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException("\"text\" must be a string");
        }
        JsonNode lang = node.get("lang");
        String declared = lang != null && lang.isTextual() && !lang.asText().isBlank() ? lang.asText() : null;
        ObjectNode submission = JSON.createObjectNode();
        submission.put("text", text.asText());
        submission.put("source", SOURCE);
        if (declared != null) {
            submission.put("lang", declared);
        }
        try {
            return new BenchDocument(declared, text.asText(), JSON.writeValueAsBytes(submission));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a submission", e);
        }
    }

    public List<BenchDocument> documents() {
        return documents;
    }

    /** Total UTF-8 bytes of the documents' texts. */
    public long textBytes() {
        return textBytes;
    }

    public List<byte[]> submissions() {
        return documents.stream().map(BenchDocument::submission).toList();
    }
}
