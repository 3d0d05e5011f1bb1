package io.mmedstream.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.local.cli.CommandException;

class BenchCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCorpusLineBecomesASubmissionFromTheBenchSource() throws IOException {
        BenchCorpus.BenchDocument doc = BenchCorpus.toDocument(
                utf8("{\"lang\": \"zh\", \"text\": \"患者\\\"发热\\\"三天\\n\", \"id\": 7}"));

        JsonNode submission = JSON.readTree(doc.submission());
        assertThat(submission.get("text").asText()).isEqualTo("患者\"发热\"三天\n");
        assertThat(submission.get("source").asText()).isEqualTo("bench");
        assertThat(submission.get("lang").asText()).isEqualTo("zh");
        assertThat(submission.size()).as("only the submission format's fields").isEqualTo(3);
        assertThat(doc.lang()).isEqualTo("zh");
        assertThat(doc.textBytes()).isEqualTo("患者\"发热\"三天\n".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aLineWithoutLanguageGivesASubmissionWithoutLanguage() throws IOException {
        BenchCorpus.BenchDocument doc = BenchCorpus.toDocument(utf8("{\"text\": \"Fever and cough.\"}"));

        assertThat(doc.lang()).isNull();
        assertThat(JSON.readTree(doc.submission()).has("lang")).isFalse();
    }

    @Test
    void aLineThatIsNotADocumentIsRefused() {
        assertThatThrownBy(() -> BenchCorpus.toDocument(utf8("{\"text\": 3}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text");
        assertThatThrownBy(() -> BenchCorpus.toDocument(utf8("[1, 2]")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BenchCorpus.toDocument(utf8("{\"text\": ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    }

    @Test
    void readsAGzipCorpusAndCountsItsTextBytes() throws IOException {
        Path file = dir.resolve("bench.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(utf8("{\"lang\": \"en\", \"text\": \"abc\"}\n{\"lang\": \"ja\", \"text\": \"医学\"}\n"));
        }

        BenchCorpus corpus = BenchCorpus.read(file);

        assertThat(corpus.documents()).hasSize(2);
        assertThat(corpus.textBytes()).isEqualTo(3 + 6);
        assertThat(corpus.submissions()).hasSize(2);
    }

    @Test
    void namesTheLineOfABadCorpus() throws IOException {
        Path file = Files.write(dir.resolve("bad.jsonl"), utf8("{\"text\": \"ok\"}\n\n{\"lang\": \"en\"}\n"));

        assertThatThrownBy(() -> BenchCorpus.read(file)).isInstanceOf(CommandException.class)
                .hasMessageContaining("line 3");
    }

    @Test
    void saysClearlyWhenTheCorpusIsMissing() {
        assertThatThrownBy(() -> BenchCorpus.read(dir.resolve("bench-corpus.jsonl.gz")))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("benchmark corpus not found").hasMessageContaining("--corpus");
    }
}
