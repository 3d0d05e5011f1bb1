package io.mmedstream.local.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.local.cli.CommandException;

class JsonLinesTest {

    @TempDir
    Path dir;

    private static List<byte[]> readAll(Path file) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        try (JsonLines reader = JsonLines.open(file)) {
            byte[] line;
            while ((line = reader.next()) != null) {
                lines.add(line);
            }
            assertThat(reader.fractionRead()).isEqualTo(1.0);
        }
        return lines;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsEachLinesBytesExactlyEvenWhenTheyAreNotUtf8() throws IOException {
        byte[] invalid = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(utf8("{\"text\": \"héllo 医学\"}\n"));
        content.writeBytes(invalid);
        content.writeBytes(utf8("\n"));
        Path file = Files.write(dir.resolve("a.jsonl"), content.toByteArray());

        List<byte[]> lines = readAll(file);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo(utf8("{\"text\": \"héllo 医学\"}"));
        assertThat(lines.get(1)).isEqualTo(invalid);
    }

    @Test
    void dropsLineEndsAndSkipsBlankLinesAndReadsALastLineWithoutNewline() throws IOException {
        Path file = Files.write(dir.resolve("b.jsonl"), utf8("one\r\n\n  \t \r\ntwo\nthree"));

        try (JsonLines reader = JsonLines.open(file)) {
            assertThat(reader.next()).isEqualTo(utf8("one"));
            assertThat(reader.next()).isEqualTo(utf8("two"));
            assertThat(reader.lineNumber()).isEqualTo(4);
            assertThat(reader.next()).isEqualTo(utf8("three"));
            assertThat(reader.next()).isNull();
            assertThat(reader.skippedBlank()).isEqualTo(2);
        }
    }

    @Test
    void readsGzipByItsContentWhateverTheName() throws IOException {
        Path file = dir.resolve("compressed.jsonl");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(utf8("{\"a\": 1}\n{\"b\": 2}\n"));
        }

        assertThat(readAll(file)).containsExactly(utf8("{\"a\": 1}"), utf8("{\"b\": 2}"));
    }

    @Test
    void readsLinesLongerThanItsBuffer() throws IOException {
        String longLine = "x".repeat(300_000);
        Path file = Files.write(dir.resolve("long.jsonl"), utf8("short\n" + longLine + "\nend\n"));

        List<byte[]> lines = readAll(file);

        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).hasSize(300_000);
        assertThat(lines.get(2)).isEqualTo(utf8("end"));
    }

    @Test
    void anEmptyFileHasNoLines() throws IOException {
        assertThat(readAll(Files.write(dir.resolve("empty.jsonl"), new byte[0]))).isEmpty();
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> JsonLines.open(dir.resolve("absent.jsonl"))).isInstanceOf(CommandException.class)
                .hasMessageContaining("absent.jsonl");
    }
}
