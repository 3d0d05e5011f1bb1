package io.mmedstream.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.mmedstream.ingest.domain.IngestResult;
import io.mmedstream.ingest.domain.RejectionReason;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.DocumentSubmitted;
import io.mmedstream.proto.SourcePosition;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

class SubmissionProcessorTest {

    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07.123Z");
    private static final Instant SUBMITTED = Instant.parse("2026-03-04T05:06:00.001Z");
    private static final SourcePosition ORIGIN = new SourcePosition(Topics.DOCS_SUBMITTED, 2, 41L);

    private final SubmissionProcessor processor = processor(IngestLimits.defaults());

    private static SubmissionProcessor processor(IngestLimits limits) {
        return new SubmissionProcessor(limits, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    // --- ingested ------------------------------------------------------------------------------------------------

    @Test
    void validSubmissionBecomesDocumentIngestedWithEveryField() {
        String json = """
                {"text": "  Cafe\\u0301 \\ud83d\\ude00 patient\\r\\nwith fever ", "source": " pubmed ",
                 "url": " https://example.org/a ", "lang": "FR", "license": "CC-BY-4.0",
                 "external_id": " ext-1 ", "metadata": {"journal": "BMJ", "year": "2020"}, "unknown": [1, {"x": 2}]}
                """;
        DocumentIngested event = ingested(processor.process("k".getBytes(StandardCharsets.UTF_8), utf8(json),
                ORIGIN, SUBMITTED));

        String text = "Caf\u00E9 \uD83D\uDE00 patient\nwith fever";
        assertThat(event.getText()).isEqualTo(text);
        assertThat(event.getDocId()).isEqualTo(DocumentIds.of(text));
        assertThat(event.getSource()).isEqualTo("pubmed");
        assertThat(event.getUrl()).isEqualTo("https://example.org/a");
        assertThat(event.getDeclaredLang()).isEqualTo("fr");
        assertThat(event.getLicense()).isEqualTo("CC-BY-4.0");
        assertThat(event.getExternalId()).isEqualTo(" ext-1 ");
        assertThat(event.getMetadata()).containsExactly(Map.entry("journal", "BMJ"), Map.entry("year", "2020"));
        assertThat(event.getCharCount()).isEqualTo(text.codePointCount(0, text.length())).isEqualTo(25);
        assertThat(event.getByteCount()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length).isEqualTo(29);
        assertThat(event.getSubmittedAt()).isEqualTo(SUBMITTED);
        assertThat(event.getOccurredAt()).isEqualTo(NOW);
        assertThat(event.getOrigin()).isEqualTo(ORIGIN);
        assertThat(UUID.fromString(event.getEventId())).isNotNull();
    }

    @Test
    void ingestedResultIsKeyedByDocIdForTheIngestedTopic() {
        IngestResult result = processor.process(utf8("their-key"), utf8("{\"text\":\"x\",\"source\":\"s\"}"),
                ORIGIN, SUBMITTED);
        assertThat(result.topic()).isEqualTo(Topics.DOCS_INGESTED);
        assertThat(result.key()).isEqualTo(DocumentIds.of("x"));
        assertThat(result.origin()).isEqualTo(ORIGIN);
    }

    @Test
    void optionalFieldsMayBeAbsentOrNull() {
        DocumentIngested event = ingested(process("{\"text\":\"t\",\"source\":\"s\",\"url\":null,\"lang\":null,"
                + "\"license\":null,\"external_id\":null,\"metadata\":null}"));
        assertThat(event.getUrl()).isNull();
        assertThat(event.getDeclaredLang()).isNull();
        assertThat(event.getLicense()).isNull();
        assertThat(event.getExternalId()).isNull();
        assertThat(event.getMetadata()).isEmpty();

        DocumentIngested minimal = ingested(process("{\"source\":\"s\",\"text\":\"t\"}"));
        assertThat(minimal.getMetadata()).isEmpty();
    }

    @Test
    void declaredLanguageIsTrimmedAndLowerCasedAndBlankMeansNone() {
        assertThat(ingested(process(doc("\"lang\":\"EN\""))).getDeclaredLang()).isEqualTo("en");
        assertThat(ingested(process(doc("\"lang\":\" zh \""))).getDeclaredLang()).isEqualTo("zh");
        assertThat(ingested(process(doc("\"lang\":\"\""))).getDeclaredLang()).isNull();
    }

    @Test
    void leadingUtf8ByteOrderMarkIsSkipped() {
        byte[] json = utf8("{\"text\":\"t\",\"source\":\"s\"}");
        byte[] withBom = new byte[json.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(json, 0, withBom, 3, json.length);
        assertThat(ingested(processor.process(null, withBom, ORIGIN, SUBMITTED)).getText()).isEqualTo("t");
    }

    @Test
    void multilingualTextPassesUnchangedWhenAlreadyNormal() {
        String text = "\u7CD6\u5C3F\u75C5\u60A3\u8005 \u0411\u043E\u043B\u044C\u043D\u043E\u0439 "
                + "\u7CD6\u5C3F\u75C5\u306E\u60A3\u8005 paciente diab\u00E9tico";
        assertThat(ingested(process("{\"text\":\"" + text + "\",\"source\":\"s\"}")).getText()).isEqualTo(text);
    }

    @Test
    void eventsSurviveTheAvroSerdeUnchanged() {
        DocumentIngested ingested = ingested(process(doc("\"metadata\":{\"a\":\"b\"},\"lang\":\"es\"")));
        assertThat(new AvroDeserializer<>(DocumentIngested.class).decode(AvroSerializer.encode(ingested)))
                .isEqualTo(ingested);
        DocumentRejected rejected = rejected(process("{\"text\": 1, \"source\": \"s\"}"),
                RejectionReason.WRONG_TYPE);
        assertThat(new AvroDeserializer<>(DocumentRejected.class).decode(AvroSerializer.encode(rejected)))
                .isEqualTo(rejected);
    }

    // --- rejected: one test per reason ---------------------------------------------------------------------------

    @Test
    void malformedJsonIsRejectedWithItsPosition() {
        DocumentRejected event = rejected(process("{\"text\": \"abc\", \"source\": }"),
                RejectionReason.MALFORMED_JSON);
        assertThat(event.getMessage()).contains("line 1, column").contains("character offset");
        rejected(process("{\"text\": \"abc\""), RejectionReason.MALFORMED_JSON);
        rejected(process("not json"), RejectionReason.MALFORMED_JSON);
        rejected(process("{'text': 'single quotes'}"), RejectionReason.MALFORMED_JSON);
    }

    @Test
    void trailingContentAndDuplicateKeysAreMalformed() {
        assertThat(rejected(process("{\"text\":\"a\",\"source\":\"s\"} {\"text\":\"b\"}"),
                RejectionReason.MALFORMED_JSON).getMessage()).containsIgnoringCase("trailing");
        assertThat(rejected(process("{\"text\":\"a\",\"source\":\"s\",\"text\":\"b\"}"),
                RejectionReason.MALFORMED_JSON).getMessage()).contains("text").containsIgnoringCase("duplicate");
    }

    @Test
    void emptyNullAndWhiteSpaceValuesAreMalformed() {
        rejected(processor.process(null, null, ORIGIN, SUBMITTED), RejectionReason.MALFORMED_JSON);
        rejected(processor.process(null, new byte[0], ORIGIN, SUBMITTED), RejectionReason.MALFORMED_JSON);
        rejected(process("  \n "), RejectionReason.MALFORMED_JSON);
    }

    @Test
    void invalidUtf8IsRejectedWithItsByteOffset() {
        byte[] value = utf8("{\"text\":\"ab?\",\"source\":\"s\"}");
        value[11] = (byte) 0xFF;
        DocumentRejected event = rejected(processor.process(null, value, ORIGIN, SUBMITTED),
                RejectionReason.INVALID_UTF8);
        assertThat(event.getMessage()).contains("byte offset 11").contains("FF");
    }

    @Test
    void everyKindOfMalformedUtf8IsRejectedNotRepaired() {
        byte[][] sequences = {
            {(byte) 0x80}, // lone continuation byte
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate (CESU-8)
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0xE2, (byte) 0x82}, // truncated three-byte sequence
        };
        for (byte[] bad : sequences) {
            byte[] prefix = utf8("{\"source\":\"s\",\"text\":\"");
            byte[] suffix = utf8("\"}");
            byte[] value = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, value, 0, prefix.length);
            System.arraycopy(bad, 0, value, prefix.length, bad.length);
            System.arraycopy(suffix, 0, value, prefix.length + bad.length, suffix.length);
            DocumentRejected event = rejected(processor.process(null, value, ORIGIN, SUBMITTED),
                    RejectionReason.INVALID_UTF8);
            assertThat(event.getMessage()).as(Arrays.toString(bad)).contains("byte offset " + prefix.length);
        }
        byte[] truncatedAtEnd = {'{', (byte) 0xE2, (byte) 0x82};
        rejected(processor.process(null, truncatedAtEnd, ORIGIN, SUBMITTED), RejectionReason.INVALID_UTF8);
    }

    @Test
    void unpairedSurrogateEscapesAreRejectedAsInvalidUtf8() {
        DocumentRejected event = rejected(process("{\"text\":\"ok \\ud800 broken\",\"source\":\"s\"}"),
                RejectionReason.INVALID_UTF8);
        assertThat(event.getMessage()).contains("'text'").contains("D800").contains("character 3");
        rejected(process("{\"text\":\"t\",\"source\":\"s\",\"metadata\":{\"k\":\"\\udc00\"}}"),
                RejectionReason.INVALID_UTF8);
    }

    @Test
    void jsonThatIsNotAnObjectIsRejected() {
        assertThat(rejected(process("[{\"text\":\"t\",\"source\":\"s\"}]"), RejectionReason.NOT_AN_OBJECT)
                .getMessage()).contains("array");
        rejected(process("\"just a string\""), RejectionReason.NOT_AN_OBJECT);
        rejected(process("42"), RejectionReason.NOT_AN_OBJECT);
        rejected(process("null"), RejectionReason.NOT_AN_OBJECT);
    }

    @Test
    void missingOrNullRequiredFieldsAreRejectedByName() {
        assertThat(rejected(process("{\"source\":\"s\"}"), RejectionReason.MISSING_FIELD).getMessage())
                .contains("'text'").contains("missing");
        assertThat(rejected(process("{\"text\":\"t\"}"), RejectionReason.MISSING_FIELD).getMessage())
                .contains("'source'");
        assertThat(rejected(process("{\"text\":null,\"source\":\"s\"}"), RejectionReason.MISSING_FIELD)
                .getMessage()).contains("'text'").contains("null");
    }

    @Test
    void fieldsOfTheWrongTypeAreRejectedByName() {
        assertThat(rejected(process("{\"text\":42,\"source\":\"s\"}"), RejectionReason.WRONG_TYPE).getMessage())
                .contains("'text'").contains("number");
        assertThat(rejected(process("{\"text\":\"t\",\"source\":[\"s\"]}"), RejectionReason.WRONG_TYPE)
                .getMessage()).contains("'source'").contains("array");
        assertThat(rejected(process(doc("\"url\":1")), RejectionReason.WRONG_TYPE).getMessage()).contains("'url'");
        assertThat(rejected(process(doc("\"lang\":true")), RejectionReason.WRONG_TYPE).getMessage())
                .contains("'lang'").contains("boolean");
        assertThat(rejected(process(doc("\"external_id\":7")), RejectionReason.WRONG_TYPE).getMessage())
                .contains("'external_id'");
        assertThat(rejected(process(doc("\"metadata\":[\"a\"]")), RejectionReason.WRONG_TYPE).getMessage())
                .contains("'metadata'");
        assertThat(rejected(process(doc("\"metadata\":{\"ok\":\"v\",\"year\":2020}")), RejectionReason.WRONG_TYPE)
                .getMessage()).contains("metadata[\"year\"]").contains("number");
        assertThat(rejected(process(doc("\"metadata\":{\"nested\":{\"a\":\"b\"}}")), RejectionReason.WRONG_TYPE)
                .getMessage()).contains("metadata[\"nested\"]").contains("object");
    }

    @Test
    void unusableFieldValuesAreRejectedAsInvalidField() {
        assertThat(rejected(process(doc("\"lang\":\"eng\"")), RejectionReason.INVALID_FIELD).getMessage())
                .contains("'lang'").contains("ISO 639-1").contains("eng");
        rejected(process(doc("\"lang\":\"en-US\"")), RejectionReason.INVALID_FIELD);
        rejected(process(doc("\"lang\":\"\u00E9s\"")), RejectionReason.INVALID_FIELD);
        assertThat(rejected(process("{\"text\":\"t\",\"source\":\"  \"}"), RejectionReason.INVALID_FIELD)
                .getMessage()).contains("'source'").contains("blank");
    }

    @Test
    void blankTextIsRejected() {
        rejected(process("{\"text\":\"\",\"source\":\"s\"}"), RejectionReason.BLANK_TEXT);
        assertThat(rejected(process("{\"text\":\" \\t\\r\\n\\u0000\\ufeff\\u3000 \",\"source\":\"s\"}"),
                RejectionReason.BLANK_TEXT).getMessage()).contains("'text'").contains("blank");
    }

    @Test
    void textOverTheLimitIsRejectedAndTheLimitCountsUtf8BytesAfterNormalisation() {
        SubmissionProcessor small = processor(new IngestLimits(12, 4096, 64, 32 * 1024));
        ingested(small.process(null, utf8(json("123456789012")), ORIGIN, SUBMITTED));
        assertThat(rejected(small.process(null, utf8(json("1234567890123")), ORIGIN, SUBMITTED),
                RejectionReason.TOO_LARGE).getMessage()).contains("13 bytes").contains("limit of 12");
        // six characters, but 18 bytes of UTF-8
        rejected(small.process(null, utf8(json("\u75C5\u75C5\u75C5\u75C5\u75C5\u75C5")), ORIGIN, SUBMITTED),
                RejectionReason.TOO_LARGE);
        // 20 characters as submitted, 12 after normalisation
        ingested(small.process(null, utf8(json("   1234\\r\\n5678\\r\\n90   ")), ORIGIN, SUBMITTED));
    }

    @Test
    void submissionOverTheSizeLimitIsRejectedUnread() {
        SubmissionProcessor small = processor(new IngestLimits(12, 100, 64, 32 * 1024));
        byte[] value = utf8("{\"text\":\"" + "x".repeat(120) + "\",\"source\":\"s\"}");
        DocumentRejected event = rejected(small.process(null, value, ORIGIN, SUBMITTED), RejectionReason.TOO_LARGE);
        assertThat(event.getMessage()).contains(value.length + " bytes").contains("limit of 100");
    }

    @Test
    void submissionWhoseEventWouldBeTooLargeForTheProducerIsRejected() {
        SubmissionProcessor small = processor(new IngestLimits(12, 1 << 20, 64, 20 * 1024));
        String metadata = "\"metadata\":{\"blob\":\"" + "m".repeat(30 * 1024) + "\"}";
        assertThat(rejected(small.process(null, utf8(doc(metadata)), ORIGIN, SUBMITTED), RejectionReason.TOO_LARGE)
                .getMessage()).contains("DocumentIngested");
    }

    @Test
    void avroSubmissionIsIngestedLikeItsJsonForm() {
        DocumentSubmitted submitted = DocumentSubmitted.newBuilder()
                .setText("Caf\u0065\u0301 au lait\r\nfor the patient ")
                .setSource(" avro-producer ")
                .setLang("FR")
                .setExternalId("ext-avro-1")
                .setMetadata(Map.of("k", "v"))
                .build();
        IngestResult viaAvro = processor.process(null, AvroSerializer.encode(submitted), ORIGIN, SUBMITTED);
        IngestResult viaJson = processor.process(null, utf8("{\"text\":\"Caf\\u0065\\u0301 au lait\\r\\nfor the"
                + " patient \",\"source\":\"avro-producer\",\"lang\":\"fr\",\"external_id\":\"ext-avro-1\","
                + "\"metadata\":{\"k\":\"v\"}}"), ORIGIN, SUBMITTED);
        assertThat(viaAvro).isInstanceOf(IngestResult.Ingested.class);
        DocumentIngested fromAvro = ((IngestResult.Ingested) viaAvro).event();
        DocumentIngested fromJson = ((IngestResult.Ingested) viaJson).event();
        assertThat(fromAvro.getDocId()).isEqualTo(fromJson.getDocId());
        assertThat(fromAvro.getText()).isEqualTo("Caf\u00E9 au lait\nfor the patient");
        assertThat(fromAvro.getSource()).isEqualTo("avro-producer");
        assertThat(fromAvro.getDeclaredLang()).isEqualTo("fr");
        assertThat(fromAvro.getExternalId()).isEqualTo("ext-avro-1");
        assertThat(fromAvro.getMetadata()).containsEntry("k", "v");
    }

    @Test
    void bytesWithTheAvroMarkerThatAreNotASubmissionAreRejectedAsInvalidAvro() {
        byte[] avro = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0};
        DocumentRejected event = rejected(processor.process(null, avro, ORIGIN, SUBMITTED),
                RejectionReason.INVALID_AVRO);
        assertThat(event.getMessage()).contains("Avro").contains("DocumentSubmitted");
    }

    // --- what a rejection carries --------------------------------------------------------------------------------

    @Test
    void rejectionCarriesOriginalBytesOriginKeyAndReasonCode() {
        byte[] value = utf8("{\"text\": 42, \"source\": \"s\"}");
        IngestResult result = processor.process(utf8("sub-key-\u00E9"), value, ORIGIN, SUBMITTED);
        DocumentRejected event = rejected(result, RejectionReason.WRONG_TYPE);
        assertThat(result.topic()).isEqualTo(Topics.DOCS_REJECTED);
        assertThat(result.key()).isEqualTo("sub-key-\u00E9");
        assertThat(event.getKey()).isEqualTo("sub-key-\u00E9");
        assertThat(event.getReason()).isEqualTo("wrong_type");
        assertThat(bytes(event.getOriginal())).isEqualTo(value);
        assertThat(event.getOriginalTruncated()).isFalse();
        assertThat(event.getOriginalSize()).isEqualTo(value.length);
        assertThat(event.getOrigin()).isEqualTo(ORIGIN);
        assertThat(event.getOccurredAt()).isEqualTo(NOW);
        assertThat(UUID.fromString(event.getEventId())).isNotNull();
    }

    @Test
    void rejectionWithoutAUsableKeyIsKeyedByTopicPartitionOffset() {
        String fallback = Topics.DOCS_SUBMITTED + "-2-41";
        byte[] bad = utf8("nope");
        assertThat(processor.process(null, bad, ORIGIN, SUBMITTED).key()).isEqualTo(fallback);
        assertThat(processor.process(new byte[0], bad, ORIGIN, SUBMITTED).key()).isEqualTo(fallback);
        assertThat(processor.process(new byte[] {(byte) 0xFF, 0x01}, bad, ORIGIN, SUBMITTED).key())
                .isEqualTo(fallback);
        assertThat(processor.process(utf8("k".repeat(2000)), bad, ORIGIN, SUBMITTED).key()).isEqualTo(fallback);
    }

    @Test
    void oversizedOriginalIsTruncatedAndFlagged() {
        SubmissionProcessor small = processor(new IngestLimits(12, 4096, 64, 32 * 1024));
        byte[] value = utf8(json("x".repeat(200)));
        DocumentRejected event = rejected(small.process(null, value, ORIGIN, SUBMITTED), RejectionReason.TOO_LARGE);
        assertThat(bytes(event.getOriginal())).isEqualTo(Arrays.copyOf(value, 64));
        assertThat(event.getOriginalTruncated()).isTrue();
        assertThat(event.getOriginalSize()).isEqualTo(value.length);
    }

    @Test
    void rejectionKeepsTheExternalIdWhenItCouldBeRead() {
        assertThat(rejected(process("{\"text\":1,\"source\":\"s\",\"external_id\":\"ext-9\"}"),
                RejectionReason.WRONG_TYPE).getExternalId()).isEqualTo("ext-9");
        assertThat(rejected(process("{\"text\":\"  \",\"source\":\"s\",\"external_id\":\"ext-10\"}"),
                RejectionReason.BLANK_TEXT).getExternalId()).isEqualTo("ext-10");
        assertThat(rejected(process("{\"text\":\"t\",\"external_id\":5}"), RejectionReason.MISSING_FIELD)
                .getExternalId()).isNull();
        assertThat(rejected(process("{\"external_id\":\"e\"]"), RejectionReason.MALFORMED_JSON).getExternalId())
                .isNull();
    }

    @Test
    void limitsThatCannotWorkAreRefused() {
        assertThatThrownBy(() -> new IngestLimits(0, 1, 1, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IngestLimits(1 << 20, 1 << 20, 1024, 1 << 20))
                .hasMessageContaining("max-text-bytes");
        assertThatThrownBy(() -> new IngestLimits(1024, 1 << 20, 1 << 20, 1 << 20))
                .hasMessageContaining("max-original-bytes");
    }

    @Test
    void neverThrowsAndAlwaysDecidesWhateverTheBytes() {
        Random random = new Random(7);
        byte[] valid = utf8("{\"text\":\"Caf\u00E9 \u75C5\",\"source\":\"s\",\"metadata\":{\"a\":\"b\"},\"lang\":\"fr\"}");
        for (int round = 0; round < 5000; round++) {
            byte[] value;
            if (round % 2 == 0) {
                value = new byte[random.nextInt(64)];
                random.nextBytes(value);
            } else {
                value = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    value[random.nextInt(value.length)] = (byte) random.nextInt(256);
                }
            }
            IngestResult result = processor.process(null, value, ORIGIN, SUBMITTED);
            assertThat(result).isNotNull();
            if (result instanceof IngestResult.Rejected r) {
                assertThat(r.reason()).as(Arrays.toString(value)).isNotEqualTo(RejectionReason.INTERNAL_ERROR);
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private IngestResult process(String json) {
        return processor.process(null, utf8(json), ORIGIN, SUBMITTED);
    }

    private static String doc(String extraField) {
        return "{\"text\":\"some text\",\"source\":\"s\"," + extraField + "}";
    }

    private static String json(String text) {
        return "{\"text\":\"" + text + "\",\"source\":\"s\"}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private static DocumentIngested ingested(IngestResult result) {
        assertThat(result).as("%s", result).isInstanceOf(IngestResult.Ingested.class);
        return ((IngestResult.Ingested) result).event();
    }

    private static DocumentRejected rejected(IngestResult result, RejectionReason reason) {
        assertThat(result).as("%s", result).isInstanceOf(IngestResult.Rejected.class);
        IngestResult.Rejected rejected = (IngestResult.Rejected) result;
        assertThat(rejected.reason()).as(rejected.event().getMessage()).isEqualTo(reason);
        assertThat(rejected.event().getReason()).isEqualTo(reason.code());
        assertThat(rejected.event().getMessage()).isNotBlank();
        return rejected.event();
    }
}
