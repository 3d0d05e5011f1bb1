package io.mmedstream.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import io.mmedstream.ingest.domain.IngestResult;
import io.mmedstream.ingest.domain.RejectionReason;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.SourcePosition;
import io.mmedstream.proto.Topics;

/**
 * Submissions built to hurt a parser: each must end as a clear rejection (or, where it is harmless, an ingested
 * document), never an exception, an internal error, or an answer that takes unbounded time or memory.
 */
class AdversarialSubmissionTest {

    private static final SourcePosition ORIGIN = new SourcePosition(Topics.DOCS_SUBMITTED, 0, 7L);
    private static final Instant NOW = Instant.parse("2026-11-27T01:00:00Z");

    private final IngestLimits limits = IngestLimits.defaults();
    private final SubmissionProcessor processor = new SubmissionProcessor(limits, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void deeplyNestedMetadataIsMalformedNotAStackOverflow() {
        int depth = 200_000;
        String json = "{\"text\":\"Patient with fever.\",\"source\":\"s\",\"metadata\":" + "[".repeat(depth)
                + "]".repeat(depth) + "}";
        DocumentRejected rejected = rejected(json, RejectionReason.MALFORMED_JSON);
        assertThat(rejected.getMessage()).containsIgnoringCase("nesting");
    }

    @Test
    void deeplyNestedTopLevelValueIsRejected() {
        int depth = 100_000;
        rejected("[".repeat(depth) + "]".repeat(depth), RejectionReason.MALFORMED_JSON);
        rejected("{\"a\":".repeat(depth) + "1" + "}".repeat(depth), RejectionReason.MALFORMED_JSON);
    }

    @Test
    void nestedObjectsInsideMetadataAreTheWrongTypeAndNamed() {
        String json = "{\"text\":\"t\",\"source\":\"s\",\"metadata\":{\"k\":{\"k\":{\"k\":{}}}}}";
        DocumentRejected rejected = rejected(json, RejectionReason.WRONG_TYPE);
        assertThat(rejected.getMessage()).contains("metadata[\"k\"]");
    }

    @Test
    void aSubmissionJustOverTheSizeLimitIsRejectedUnreadWhateverItHolds() {
        byte[] value = new byte[limits.maxSubmissionBytes() + 1];
        java.util.Arrays.fill(value, (byte) '[');
        DocumentRejected rejected = rejected(value, RejectionReason.TOO_LARGE);
        assertThat(rejected.getMessage()).contains("was not read");
    }

    @Test
    void hugeNumbersAndManyKeysStayBounded() {
        // A 5,000-digit number where a string belongs: the wrong type, named, without the number echoed back whole.
        String digits = "9".repeat(5000);
        DocumentRejected number = rejected("{\"text\":" + digits + ",\"source\":\"s\"}", RejectionReason.MALFORMED_JSON,
                RejectionReason.WRONG_TYPE);
        assertThat(number.getMessage().length()).isLessThan(1000);

        // 20,000 metadata entries: within the size limit, so a document; the metadata is kept as given.
        StringBuilder json = new StringBuilder("{\"text\":\"Renal failure treated with dialysis.\",\"source\":\"s\","
                + "\"metadata\":{");
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        json.append("}}");
        IngestResult result = processor.process(null, utf8(json.toString()), ORIGIN, NOW);
        assertThat(result).isInstanceOf(IngestResult.Ingested.class);
        assertThat(((DocumentIngested) result.event()).getMetadata()).hasSize(20_000);
    }

    @Test
    void controlCharactersAreRemovedFromTextAndTextOfOnlyControlsIsBlank() {
        IngestResult kept = processor.process(null,
                utf8("{\"text\":\"fever\\u0000 and\\u0007 cough\\u001b[31m\",\"source\":\"s\"}"), ORIGIN, NOW);
        assertThat(kept).isInstanceOf(IngestResult.Ingested.class);
        String text = ((DocumentIngested) kept.event()).getText();
        assertThat(text).doesNotContain("\u0000", "\u0007", "\u001b").contains("fever").contains("cough");

        rejected("{\"text\":\"\\u0000\\u0001\\u0002\\u007f\",\"source\":\"s\"}", RejectionReason.BLANK_TEXT);
    }

    @Test
    void rawControlBytesAndInvalidUtf8InKeysAreRejected() {
        byte[] rawNul = utf8("{\"text\":\"a\u0000b\",\"source\":\"s\"}");
        rejected(rawNul, RejectionReason.MALFORMED_JSON);

        byte[] badKey = utf8("{\"text\":\"t\",\"source\":\"s\",\"metadata\":{\"XX\":\"v\"}}");
        int at = new String(badKey, StandardCharsets.UTF_8).indexOf("XX");
        badKey[at] = (byte) 0xC0;
        badKey[at + 1] = (byte) 0xAF;
        DocumentRejected rejected = rejected(badKey, RejectionReason.INVALID_UTF8);
        assertThat(rejected.getMessage()).contains("UTF-8").contains("byte offset " + at);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private DocumentRejected rejected(String json, RejectionReason... allowed) {
        return rejected(utf8(json), allowed);
    }

    private DocumentRejected rejected(byte[] value, RejectionReason... allowed) {
        long start = System.nanoTime();
        IngestResult result = processor.process(null, value, ORIGIN, NOW);
        assertThat((System.nanoTime() - start) / 1_000_000_000.0).as("seconds to decide").isLessThan(10);
        assertThat(result).as("%s", result).isInstanceOf(IngestResult.Rejected.class);
        IngestResult.Rejected rejected = (IngestResult.Rejected) result;
        assertThat(rejected.reason()).as(rejected.event().getMessage()).isIn((Object[]) allowed);
        assertThat(rejected.event().getMessage()).isNotBlank().hasSizeLessThan(2000);
        return rejected.event();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
