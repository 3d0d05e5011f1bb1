package io.mmedstream.ingest.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mmedstream.ingest.service.DocumentIds;
import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The running service on the real embedded broker: submissions go in on {@code mmed.docs.submitted.v1} through a
 * plain producer, and the outputs are read back with {@code read_committed} as filter and operators read them.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class IngestPipelineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_RECORD_BYTES));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopProducer() {
        producer.close();
    }

    @Test
    void validSubmissionIsIngestedKeyedByDocIdWithEveryField() {
        String run = UUID.randomUUID().toString();
        String json = "{\"text\":\"  Patient \\u00e9 with fever, run " + run + "\\r\\nSecond line. \","
                + "\"source\":\"test-corpus\",\"url\":\"https://example.org/" + run + "\",\"lang\":\"EN\","
                + "\"license\":\"CC-BY-4.0\",\"external_id\":\"" + run + "\",\"metadata\":{\"k\":\"v\"},"
                + "\"ignored\":{\"deep\":[1,2,3]}}";
        RecordMetadata sent = send(null, utf8("any-key"), utf8(json));

        ConsumerRecord<String, DocumentIngested> record = TopicReader.awaitRecords(Topics.DOCS_INGESTED,
                DocumentIngested.class, r -> run.equals(r.value().getExternalId()), 1, TIMEOUT).get(0);

        String text = "Patient \u00e9 with fever, run " + run + "\nSecond line.";
        DocumentIngested event = record.value();
        assertThat(record.key()).isEqualTo(DocumentIds.of(text)).isEqualTo(event.getDocId());
        assertThat(event.getText()).isEqualTo(text);
        assertThat(event.getSource()).isEqualTo("test-corpus");
        assertThat(event.getUrl()).isEqualTo("https://example.org/" + run);
        assertThat(event.getDeclaredLang()).isEqualTo("en");
        assertThat(event.getLicense()).isEqualTo("CC-BY-4.0");
        assertThat(event.getMetadata()).containsExactly(Map.entry("k", "v"));
        assertThat(event.getCharCount()).isEqualTo(text.length());
        assertThat(event.getByteCount()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(event.getSubmittedAt()).isEqualTo(Instant.ofEpochMilli(sent.timestamp()));
        assertThat(event.getOrigin().getTopic()).isEqualTo(Topics.DOCS_SUBMITTED);
        assertThat(event.getOrigin().getPartition()).isEqualTo(sent.partition());
        assertThat(event.getOrigin().getOffset()).isEqualTo(sent.offset());
    }

    @Test
    void poisonRecordsReachTheRejectedTopicWithTheirReasonAndTheStreamContinues() {
        String run = UUID.randomUUID().toString();
        Map<String, byte[]> poison = new LinkedHashMap<>();
        poison.put("malformed_json", utf8("{\"text\": \"oops\", \"source\": }"));
        poison.put("invalid_utf8", concat(utf8("{\"text\":\"bad "), new byte[] {(byte) 0xC3, (byte) 0x28},
                utf8("\",\"source\":\"s\"}")));
        poison.put("blank_text", utf8("{\"text\":\" \\n\\t\\u0000 \",\"source\":\"s\"}"));
        poison.put("missing_field", utf8("{\"text\":\"no source here\"}"));
        poison.put("wrong_type", utf8("{\"text\":42,\"source\":\"s\"}"));
        poison.put("not_an_object", utf8("[\"text\",\"source\"]"));
        poison.put("invalid_avro", new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'x'});
        poison.put("invalid_field", utf8("{\"text\":\"t\",\"source\":\"s\",\"lang\":\"english\"}"));

        Map<String, RecordMetadata> sent = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> entry : poison.entrySet()) {
            sent.put(entry.getKey(), send(0, utf8(run + "/" + entry.getKey()), entry.getValue()));
        }
        RecordMetadata tombstone = send(0, utf8(run + "/tombstone"), null);
        // metadata values must be strings: a second wrong_type, with its external_id readable
        RecordMetadata wrongMetadata = send(0, null, utf8("{\"text\":\"t\",\"source\":\"s\",\"external_id\":\""
                + run + "\",\"metadata\":{\"year\":2020}}"));
        String validText = "Valid document after the poison, run " + run;
        RecordMetadata valid = send(0, utf8(run + "/valid"),
                utf8("{\"text\":\"" + validText + "\",\"source\":\"s\"}"));

        List<ConsumerRecord<String, DocumentRejected>> rejected = TopicReader.awaitRecords(Topics.DOCS_REJECTED,
                DocumentRejected.class, r -> r.key().startsWith(run + "/") || run.equals(r.value().getExternalId()),
                poison.size() + 2, TIMEOUT);
        Map<String, ConsumerRecord<String, DocumentRejected>> byKey = rejected.stream()
                .collect(Collectors.toMap(ConsumerRecord::key, Function.identity()));

        for (Map.Entry<String, byte[]> entry : poison.entrySet()) {
            String reason = entry.getKey();
            ConsumerRecord<String, DocumentRejected> record = byKey.get(run + "/" + reason);
            assertThat(record).as(reason).isNotNull();
            DocumentRejected event = record.value();
            assertThat(event.getReason()).isEqualTo(reason);
            assertThat(event.getKey()).isEqualTo(run + "/" + reason);
            assertThat(event.getMessage()).isNotBlank();
            assertThat(bytes(event.getOriginal())).isEqualTo(entry.getValue());
            assertThat(event.getOriginalTruncated()).isFalse();
            assertThat(event.getOriginalSize()).isEqualTo(entry.getValue().length);
            assertThat(event.getOrigin().getTopic()).isEqualTo(Topics.DOCS_SUBMITTED);
            assertThat(event.getOrigin().getPartition()).isZero();
            assertThat(event.getOrigin().getOffset()).isEqualTo(sent.get(reason).offset());
            assertThat(header(record, SubmissionConsumer.HEADER_REASON)).isEqualTo(reason);
            assertThat(header(record, SubmissionConsumer.HEADER_TOPIC)).isEqualTo(Topics.DOCS_SUBMITTED);
            assertThat(header(record, SubmissionConsumer.HEADER_PARTITION)).isEqualTo("0");
            assertThat(header(record, SubmissionConsumer.HEADER_OFFSET))
                    .isEqualTo(String.valueOf(sent.get(reason).offset()));
        }
        DocumentRejected empty = byKey.get(run + "/tombstone").value();
        assertThat(empty.getReason()).isEqualTo("malformed_json");
        assertThat(empty.getOriginalSize()).isZero();
        assertThat(empty.getOrigin().getOffset()).isEqualTo(tombstone.offset());

        String fallbackKey = Topics.DOCS_SUBMITTED + "-0-" + wrongMetadata.offset();
        DocumentRejected metadataEvent = byKey.get(fallbackKey).value();
        assertThat(metadataEvent.getReason()).isEqualTo("wrong_type");
        assertThat(metadataEvent.getMessage()).contains("metadata[\"year\"]");
        assertThat(metadataEvent.getExternalId()).isEqualTo(run);

        ConsumerRecord<String, DocumentIngested> after = TopicReader.awaitRecords(Topics.DOCS_INGESTED,
                DocumentIngested.class, r -> validText.equals(r.value().getText()), 1, TIMEOUT).get(0);
        assertThat(after.value().getOrigin().getPartition()).isZero();
        assertThat(after.value().getOrigin().getOffset()).isEqualTo(valid.offset());

        await().atMost(TIMEOUT).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            for (String reason : poison.keySet()) {
                assertThat(counter(metrics, "mmed_records_rejected_total{reason=\"" + reason + "\"}"))
                        .as(reason).isGreaterThanOrEqualTo(1.0);
            }
            assertThat(counter(metrics, "mmed_records_in_total{service=\"ingest\"}"))
                    .isGreaterThanOrEqualTo(poison.size() + 3.0);
            assertThat(counter(metrics,
                    "mmed_records_out_total{service=\"ingest\",topic=\"" + Topics.DOCS_REJECTED + "\"}"))
                    .isGreaterThanOrEqualTo(poison.size() + 2.0);
        });
    }

    @Test
    void documentOfEightMebibytesPassesEndToEnd() {
        String run = UUID.randomUUID().toString();
        String text = textOfExactly(Topics.MAX_TEXT_BYTES, run);
        String json = "{\"text\":\"" + text.replace("\n", "\\n") + "\",\"source\":\"big\",\"external_id\":\""
                + run + "\"}";
        RecordMetadata sent = send(null, null, utf8(json));

        ConsumerRecord<String, DocumentIngested> record = TopicReader.awaitRecords(Topics.DOCS_INGESTED,
                DocumentIngested.class, r -> run.equals(r.value().getExternalId()), 1, TIMEOUT).get(0);
        assertThat(record.value().getByteCount()).isEqualTo(Topics.MAX_TEXT_BYTES);
        assertThat(record.value().getText()).isEqualTo(text);
        assertThat(record.key()).isEqualTo(DocumentIds.of(text));
        assertThat(record.value().getOrigin().getOffset()).isEqualTo(sent.offset());
    }

    @Test
    void textOneByteOverTheLimitIsRejectedAsTooLargeWithATruncatedOriginal() {
        String run = UUID.randomUUID().toString();
        String text = textOfExactly(Topics.MAX_TEXT_BYTES + 1, run);
        byte[] value = utf8("{\"text\":\"" + text.replace("\n", "\\n") + "\",\"source\":\"big\"}");
        send(null, utf8(run), value);

        DocumentRejected event = TopicReader.awaitRecords(Topics.DOCS_REJECTED, DocumentRejected.class,
                r -> run.equals(r.key()), 1, TIMEOUT).get(0).value();
        assertThat(event.getReason()).isEqualTo("too_large");
        assertThat(event.getMessage()).contains(String.valueOf(Topics.MAX_TEXT_BYTES + 1));
        assertThat(event.getOriginalTruncated()).isTrue();
        assertThat(event.getOriginalSize()).isEqualTo(value.length);
        assertThat(bytes(event.getOriginal())).isEqualTo(Arrays.copyOf(value, 1024 * 1024));
    }

    @Test
    void recordNearTheBrokerLimitIsRejectedAndDoesNotStickThePartition() {
        String run = UUID.randomUUID().toString();
        int size = Topics.MAX_RECORD_BYTES - 64 * 1024;
        String prefix = "{\"source\":\"huge\",\"text\":\"";
        String suffix = "\"}";
        byte[] value = utf8(prefix + "y".repeat(size - prefix.length() - suffix.length()) + suffix);
        assertThat(value).hasSize(size);
        RecordMetadata huge = send(2, utf8(run + "/huge"), value);
        String afterText = "Document after a huge one, run " + run;
        RecordMetadata after = send(2, null, utf8("{\"text\":\"" + afterText + "\",\"source\":\"s\"}"));

        DocumentRejected event = TopicReader.awaitRecords(Topics.DOCS_REJECTED, DocumentRejected.class,
                r -> (run + "/huge").equals(r.key()), 1, TIMEOUT).get(0).value();
        assertThat(event.getReason()).isEqualTo("too_large");
        assertThat(event.getOriginalSize()).isEqualTo(size);
        assertThat(event.getOrigin().getOffset()).isEqualTo(huge.offset());
        DocumentIngested next = TopicReader.awaitRecords(Topics.DOCS_INGESTED, DocumentIngested.class,
                r -> afterText.equals(r.value().getText()), 1, TIMEOUT).get(0).value();
        assertThat(next.getOrigin().getPartition()).isEqualTo(2);
        assertThat(next.getOrigin().getOffset()).isEqualTo(after.offset());
    }

    @Test
    void consumedOffsetsAreCommittedInTheSameTransactionAsTheOutputs() throws Exception {
        String run = UUID.randomUUID().toString();
        RecordMetadata sent = send(1, null, utf8("{\"text\":\"offset check " + run + "\",\"source\":\"s\"}"));
        TopicReader.awaitRecords(Topics.DOCS_INGESTED, DocumentIngested.class,
                r -> r.value().getText().endsWith(run), 1, TIMEOUT);

        // The output is visible to read_committed readers only once its transaction committed, and that same
        // transaction carried the consumed offset: so the group's offset is already past the submission.
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("mmed-ingest")
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata committed = offsets.get(new TopicPartition(Topics.DOCS_SUBMITTED, 1));
            assertThat(committed).isNotNull();
            assertThat(committed.offset()).isGreaterThan(sent.offset());
        }
    }

    @Test
    void healthReportsUpOnceTheChannelsAreConnected() {
        await().atMost(TIMEOUT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", is("UP")));
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static RecordMetadata send(Integer partition, byte[] key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(Topics.DOCS_SUBMITTED, partition, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not submit a test record", e.getCause());
        }
    }

    /** A multilingual text of exactly {@code bytes} bytes of UTF-8, unique through {@code run}, already normal. */
    private static String textOfExactly(int bytes, String run) {
        String[] lines = {
            "Patient presents with fever and cough; chest X-ray shows consolidation.",
            "Le patient pr\u00E9sente une fi\u00E8vre et une toux.",
            "\u60A3\u8005\u53D1\u70ED\u3001\u54B3\u55FD\u3002",
            "\u60A3\u8005\u306F\u767A\u71B1\u3068\u54B3\u3092\u8A34\u3048\u305F\u3002",
            "\u0423 \u043F\u0430\u0446\u0438\u0435\u043D\u0442\u0430 \u0436\u0430\u0440 \u0438 \u043A\u0430\u0448\u0435\u043B\u044C.",
            "El paciente presenta fiebre y tos.",
        };
        StringBuilder text = new StringBuilder("run ").append(run).append('\n');
        int size = text.length();
        int i = 0;
        while (true) {
            String line = lines[i++ % lines.length] + " #" + i + "\n";
            int lineBytes = line.getBytes(StandardCharsets.UTF_8).length;
            if (size + lineBytes > bytes - 1) {
                break;
            }
            text.append(line);
            size += lineBytes;
        }
        text.append("x".repeat(bytes - size));
        return text.toString();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static double counter(String prometheus, String series) {
        return prometheus.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim())).orElse(0.0);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
