package io.mmedstream.filter.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.mmedstream.filter.messaging.DocumentRouter.Incoming;
import io.mmedstream.filter.messaging.DocumentRouter.Kind;
import io.mmedstream.filter.messaging.DocumentRouter.Routed;
import io.mmedstream.filter.service.Samples;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

class DocumentRouterTest {

    private static final String DLQ = "test-dlq";
    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05.678Z");

    private final DocumentRouter router = new DocumentRouter(Samples.defaultFilter(), DLQ, true,
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static Incoming incoming(String key, byte[] value) {
        return new Incoming(Topics.DOCS_INGESTED, 2, 41L, key, value, new RecordHeaders());
    }

    @Test
    void medicalDocumentBecomesDocumentAcceptedKeyedByDocId() {
        DocumentIngested doc = Documents.ingested("d1", Samples.EN_MEDICAL, "en");

        Routed routed = router.route(incoming("d1", AvroSerializer.encode(doc)));

        assertThat(routed.kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(routed.topic()).isEqualTo(Topics.DOCS_ACCEPTED);
        assertThat(routed.key()).isEqualTo("d1");
        DocumentAccepted accepted = new AvroDeserializer<>(DocumentAccepted.class).decode(routed.value());
        assertThat(accepted.getDocId()).isEqualTo("d1");
        assertThat(accepted.getLang()).isEqualTo("en");
        assertThat(accepted.getText()).isEqualTo(Samples.EN_MEDICAL);
        // The event carries the engine's verdict as it is (the engine's own tests check the figures).
        assertThat(accepted.getScores())
                .isEqualTo(Samples.defaultFilter().classify(Samples.EN_MEDICAL, "en").scores());
        assertThat(accepted.getFilterVersion()).isEqualTo(Samples.defaultFilter().version());
        assertThat(accepted.getIngestedEventId()).isEqualTo(doc.getEventId());
        assertThat(accepted.getOccurredAt()).isEqualTo(NOW);
        assertThat(accepted.getSource()).isEqualTo(doc.getSource());
        assertThat(accepted.getUrl()).isEqualTo(doc.getUrl());
        assertThat(accepted.getLicense()).isEqualTo(doc.getLicense());
        assertThat(accepted.getExternalId()).isEqualTo(doc.getExternalId());
        assertThat(accepted.getMetadata()).isEqualTo(doc.getMetadata());
    }

    @Test
    void newsDocumentBecomesDocumentDroppedWithReasonScoresAndText() {
        DocumentIngested doc = Documents.ingested("d2", Samples.FR_NEWS, null);

        Routed routed = router.route(incoming("d2", AvroSerializer.encode(doc)));

        assertThat(routed.kind()).isEqualTo(Kind.DROPPED);
        assertThat(routed.topic()).isEqualTo(Topics.DOCS_DROPPED);
        DocumentDropped dropped = new AvroDeserializer<>(DocumentDropped.class).decode(routed.value());
        assertThat(dropped.getReasons()).containsExactly("not_medical");
        assertThat(dropped.getLang()).isEqualTo("fr");
        assertThat(dropped.getScores())
                .isEqualTo(Samples.defaultFilter().classify(Samples.FR_NEWS, null).scores());
        assertThat(dropped.getText()).isEqualTo(Samples.FR_NEWS);
        assertThat(dropped.getDuplicateOf()).isNull();
    }

    @Test
    void droppedTextIsLeftOutWhenConfigured() {
        DocumentRouter lean = new DocumentRouter(Samples.defaultFilter(), DLQ, false);
        Routed routed = lean.route(incoming("d3", AvroSerializer.encode(Documents.ingested("d3", "Too short.", null))));

        DocumentDropped dropped = new AvroDeserializer<>(DocumentDropped.class).decode(routed.value());
        assertThat(dropped.getReasons()).containsExactly("too_short");
        assertThat(dropped.getLang()).isNull();
        assertThat(dropped.getText()).isNull();
    }

    @Test
    void aMedicalTextWithAnAddressOfThousandsOfLabelsIsDecidedAndMasked() {
        // Once a poison pill: the e-mail pattern overflowed the stack, which no catch took, and the channel stopped.
        String text = Samples.EN_MEDICAL + " Reports to x@a" + ".ab".repeat(10_000) + " please.";
        DocumentIngested doc = Documents.ingested("d9", text, "en");

        Routed routed = router.route(incoming("d9", AvroSerializer.encode(doc)));

        // Decided like any text (a 30 KB "word" fails the quality rules), not dead-lettered and not thrown.
        assertThat(routed.kind()).isEqualTo(Kind.DROPPED);
        assertThat(new AvroDeserializer<>(DocumentDropped.class).decode(routed.value()).getReasons())
                .doesNotContain("processing_error");
    }

    @Test
    void bytesThatAreNotAvroGoToTheDeadLetterTopicWithReasonAndSourcePosition() {
        byte[] poison = "{\"text\": \"this is JSON, not Avro\"}".getBytes(StandardCharsets.UTF_8);
        Headers original = new RecordHeaders().add("trace", new byte[] {1, 2});

        Routed routed = router.route(new Incoming(Topics.DOCS_INGESTED, 2, 41L, "k-poison", poison, original));

        assertThat(routed.kind()).isEqualTo(Kind.DEAD_LETTER);
        assertThat(routed.topic()).isEqualTo(DLQ);
        assertThat(routed.key()).isEqualTo("k-poison");
        assertThat(routed.value()).isEqualTo(poison);
        assertThat(header(routed.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid_avro");
        assertThat(header(routed.headers(), DeadLetterHeaders.TOPIC)).isEqualTo(Topics.DOCS_INGESTED);
        assertThat(header(routed.headers(), DeadLetterHeaders.PARTITION)).isEqualTo("2");
        assertThat(header(routed.headers(), DeadLetterHeaders.OFFSET)).isEqualTo("41");
        assertThat(header(routed.headers(), DeadLetterHeaders.CAUSE)).contains(Topics.DOCS_INGESTED + "-2@41");
        assertThat(header(routed.headers(), DeadLetterHeaders.SERVICE)).isEqualTo("filter");
        assertThat(header(routed.headers(), DeadLetterHeaders.ORIGINAL_SIZE)).isEqualTo(String.valueOf(poison.length));
        assertThat(routed.headers().lastHeader("trace").value()).containsExactly(1, 2);
    }

    @Test
    void truncatedAvroIsDeadLettered() {
        byte[] valid = AvroSerializer.encode(Documents.ingested("d4", Samples.EN_MEDICAL, null));
        byte[] cut = java.util.Arrays.copyOf(valid, valid.length / 2);

        Routed routed = router.route(incoming("d4", cut));

        assertThat(routed.kind()).isEqualTo(Kind.DEAD_LETTER);
        assertThat(header(routed.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid_avro");
    }

    @Test
    void recordWithoutKeyOrValueIsDeadLetteredUnderItsPosition() {
        Routed routed = router.route(incoming(null, null));

        assertThat(routed.kind()).isEqualTo(Kind.DEAD_LETTER);
        assertThat(routed.key()).isEqualTo(Topics.DOCS_INGESTED + "-2-41");
        assertThat(routed.value()).isEmpty();
        assertThat(header(routed.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid_avro");
        assertThat(header(routed.headers(), DeadLetterHeaders.ORIGINAL_SIZE)).isEqualTo("-1");
    }

    @Test
    void documentWithBlankIdBreaksTheContract() {
        Routed routed = router.route(incoming("x", AvroSerializer.encode(Documents.ingested(" ", Samples.EN_MEDICAL,
                null))));

        assertThat(routed.kind()).isEqualTo(Kind.DEAD_LETTER);
        assertThat(header(routed.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid_record");
    }

    @Test
    void textOverTheContractsSizeLimitBreaksTheContract() {
        String huge = "a".repeat(Topics.MAX_TEXT_BYTES + 1);
        Routed routed = router.route(incoming("d5", AvroSerializer.encode(Documents.ingested("d5", huge, null))));

        assertThat(routed.kind()).isEqualTo(Kind.DEAD_LETTER);
        assertThat(header(routed.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid_record");
        assertThat(routed.value()).hasSizeGreaterThan(Topics.MAX_TEXT_BYTES);
    }

    @Test
    void eventIdIsTheSameWhenTheSameInputIsDecidedAgain() {
        byte[] value = AvroSerializer.encode(Documents.ingested("d6", Samples.ZH_MEDICAL, null));

        DocumentAccepted first = new AvroDeserializer<>(DocumentAccepted.class)
                .decode(router.route(incoming("d6", value)).value());
        DocumentAccepted again = new AvroDeserializer<>(DocumentAccepted.class)
                .decode(router.route(incoming("d6", value)).value());
        DocumentAccepted other = new AvroDeserializer<>(DocumentAccepted.class).decode(router.route(
                incoming("d6", AvroSerializer.encode(Documents.ingested("d6", Samples.ZH_MEDICAL, null)))).value());

        assertThat(again.getEventId()).isEqualTo(first.getEventId());
        assertThat(other.getEventId()).isNotEqualTo(first.getEventId());
    }

    private static String header(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
