package io.mmedstream.filter.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mmedstream.filter.config.FilterConfig;
import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterSettings;
import io.mmedstream.filter.service.Samples;
import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The filter service end to end on the real embedded broker. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class FilterServiceTest {

    private final TopicProbe kafka = new TopicProbe();

    @Inject
    FilterConfig config;

    @Inject
    DocumentFilter filter;

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void medicalDocumentReachesTheAcceptedTopicWithLanguageScoresAndVersion() throws Exception {
        String docId = Documents.newDocId();
        DocumentIngested doc = Documents.ingested(docId, Samples.ZH_MEDICAL, null);

        kafka.send(Topics.DOCS_INGESTED, docId, AvroSerializer.encode(doc));

        ConsumerRecord<String, byte[]> record = kafka.await(Topics.DOCS_ACCEPTED, docId);
        DocumentAccepted accepted = new AvroDeserializer<>(DocumentAccepted.class).decode(record.value());
        assertThat(accepted.getDocId()).isEqualTo(docId);
        assertThat(accepted.getLang()).isEqualTo("zh");
        assertThat(accepted.getText()).isEqualTo(Samples.ZH_MEDICAL);
        assertThat(accepted.getFilterVersion()).isEqualTo(filter.version());
        assertThat(accepted.getIngestedEventId()).isEqualTo(doc.getEventId());
        // The event carries the engine's verdict as it is (the engine's own tests check the figures).
        assertThat(accepted.getScores()).isEqualTo(filter.classify(Samples.ZH_MEDICAL, null).scores());
        assertThat(accepted.getScores()).containsKey("lang_confidence");
        assertThat(kafka.all(Topics.DOCS_ACCEPTED, docId)).hasSize(1);
        assertThat(kafka.all(Topics.DOCS_DROPPED, docId)).isEmpty();
    }

    @Test
    void newsDocumentReachesTheDroppedTopicAsNotMedicalWithItsScores() throws Exception {
        String docId = Documents.newDocId();

        kafka.send(Topics.DOCS_INGESTED, docId, AvroSerializer.encode(Documents.ingested(docId, Samples.EN_NEWS, "en")));

        DocumentDropped dropped = new AvroDeserializer<>(DocumentDropped.class)
                .decode(kafka.await(Topics.DOCS_DROPPED, docId).value());
        assertThat(dropped.getReasons()).containsExactly("not_medical");
        assertThat(dropped.getLang()).isEqualTo("en");
        assertThat(dropped.getScores()).isEqualTo(filter.classify(Samples.EN_NEWS, "en").scores())
                .containsKey("lang_confidence");
        assertThat(dropped.getText()).isEqualTo(Samples.EN_NEWS);
        assertThat(dropped.getFilterVersion()).isEqualTo(filter.version());
        assertThat(kafka.all(Topics.DOCS_ACCEPTED, docId)).isEmpty();
    }

    @Test
    void poisonRecordGoesToTheDeadLetterTopicWithItsReasonAndTheStreamKeepsFlowing() throws Exception {
        String poisonKey = "poison-" + Documents.newDocId();
        byte[] poison = "definitely not Avro".getBytes(StandardCharsets.UTF_8);
        String docId = Documents.newDocId();

        // Both in one partition: the document behind the poison record is only decided if the partition moves on.
        RecordMetadata where = kafka.send(Topics.DOCS_INGESTED, 1, poisonKey, poison);
        RecordMetadata behind = kafka.send(Topics.DOCS_INGESTED, 1, docId,
                AvroSerializer.encode(Documents.ingested(docId, Samples.JA_MEDICAL, "ja")));

        ConsumerRecord<String, byte[]> dead = kafka.await(Topics.DOCS_FILTER_DLQ, poisonKey);
        assertThat(dead.value()).isEqualTo(poison);
        assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("invalid_avro");
        assertThat(header(dead, DeadLetterHeaders.TOPIC)).isEqualTo(Topics.DOCS_INGESTED);
        assertThat(header(dead, DeadLetterHeaders.PARTITION)).isEqualTo(String.valueOf(where.partition()));
        assertThat(header(dead, DeadLetterHeaders.OFFSET)).isEqualTo(String.valueOf(where.offset()));
        DocumentAccepted after = new AvroDeserializer<>(DocumentAccepted.class)
                .decode(kafka.await(Topics.DOCS_ACCEPTED, docId).value());
        assertThat(after.getLang()).isEqualTo("ja");
        assertThat(behind.offset()).isGreaterThan(where.offset());
        assertThat(kafka.all(Topics.DOCS_FILTER_DLQ, poisonKey)).hasSize(1);
    }

    @Test
    void metricsCountDecisionsPerReasonAndLanguageAndHealthIsUp() throws Exception {
        String docId = Documents.newDocId();
        kafka.send(Topics.DOCS_INGESTED, docId, AvroSerializer.encode(Documents.ingested(docId, Samples.IT_TEXT, null)));
        kafka.await(Topics.DOCS_DROPPED, docId);

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mmed_records_dropped_total{lang=\"other\",reason=\"language_unsupported\"}"))
                .body(containsString("mmed_records_in_total{service=\"filter\"}"))
                .body(containsString("mmed_processing_latency_seconds_count{service=\"filter\"}"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("filter output topics"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void configurationDefaultsAreTheEngineDefaults() {
        assertThat(config.toSettings()).isEqualTo(FilterSettings.defaults());
        assertThat(config.output().deadLetterTopic()).isEqualTo(Topics.DOCS_FILTER_DLQ);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
