package io.mmedstream.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.mmedstream.ingest.domain.IngestResult;
import io.mmedstream.proto.SourcePosition;

class DocumentIdsTest {

    private final SubmissionProcessor processor = new SubmissionProcessor(IngestLimits.defaults(),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void idIsDPlusTheFirst32HexDigitsOfSha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2 example)
        assertThat(DocumentIds.of("abc")).isEqualTo("dba7816bf8f01cfea414140de5dae2223");
        assertThat(DocumentIds.of("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(DocumentIds.of("abc"));
        assertThat(DocumentIds.of("any text")).matches("d[0-9a-f]{32}").hasSize(DocumentIds.LENGTH);
    }

    @Test
    void sameTextGetsTheSameIdWhateverItsLineEndingsCompositionOrSurroundingWhiteSpace() {
        List<String> variants = List.of(
                "Caf\u00E9 au lait\nsecond line",
                "Cafe\u0301 au lait\r\nsecond line",
                "  Caf\u00E9 au lait\rsecond line\r\n\t ",
                "\uFEFFCafe\u0301 au lait\u2028second line\u0000",
                "\u00A0Caf\u00E9 au lait\u0085second line\n\n");
        Set<String> ids = variants.stream().map(this::docId).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(ids.iterator().next()).isEqualTo(DocumentIds.of("Caf\u00E9 au lait\nsecond line"));
    }

    @Test
    void sameSubmissionGetsTheSameIdEveryTime() {
        assertThat(docId("Hypertension is a risk factor.")).isEqualTo(docId("Hypertension is a risk factor."));
    }

    @Test
    void differentTextsGetDifferentIds() {
        List<String> texts = List.of("a", "b", "A", "Caf\u00E9", "Cafe", "a b", "a  b", "a\nb", "a\tb",
                "Hypertension is a risk factor.", "Hypertension is a risk factor!");
        Set<String> ids = texts.stream().map(this::docId).collect(Collectors.toSet());
        assertThat(ids).hasSize(texts.size());
    }

    @Test
    void otherFieldsDoNotChangeTheId() {
        String a = json("Same text", "corpus-a");
        String b = json("Same text", "corpus-b");
        assertThat(id(a)).isEqualTo(id(b));
    }

    private String docId(String text) {
        return id(json(text, "test"));
    }

    private String id(String json) {
        IngestResult result = processor.process(null, json.getBytes(StandardCharsets.UTF_8),
                new SourcePosition("t", 0, 0L), Instant.EPOCH);
        assertThat(result).isInstanceOf(IngestResult.Ingested.class);
        return result.key();
    }

    private static String json(String text, String source) {
        return "{\"text\":\"" + escape(text) + "\",\"source\":\"" + source + "\"}";
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
