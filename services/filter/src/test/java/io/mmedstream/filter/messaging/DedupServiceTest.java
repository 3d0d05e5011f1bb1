package io.mmedstream.filter.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.matchesPattern;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mmedstream.filter.dedup.DedupCodec;
import io.mmedstream.filter.dedup.DedupEvents;
import io.mmedstream.filter.dedup.DedupOutcome;
import io.mmedstream.filter.dedup.DedupRequest;
import io.mmedstream.filter.dedup.DedupSettings;
import io.mmedstream.filter.dedup.Deduplicator;
import io.mmedstream.filter.dedup.ExactEntry;
import io.mmedstream.filter.dedup.ExactIndex;
import io.mmedstream.filter.dedup.KafkaDedupState;
import io.mmedstream.filter.dedup.LshIndex;
import io.mmedstream.filter.dedup.NearEntry;
import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Deduplication in the running service on the real embedded broker, and its state restored from the topics. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class DedupServiceTest {

    private static final int PARTITIONS = 3;

    private final TopicProbe kafka = new TopicProbe();

    @AfterEach
    void close() {
        kafka.close();
    }

    /** The partition Kafka's default partitioner gives a key (as for ingest's records). */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private RecordMetadata submit(String text) throws Exception {
        String id = ClinicalNotes.docId(text);
        return kafka.send(Topics.DOCS_INGESTED, id, AvroSerializer.encode(Documents.ingested(id, text, "en")));
    }

    private static DocumentDropped dropped(ConsumerRecord<String, byte[]> record) {
        return new AvroDeserializer<>(DocumentDropped.class).decode(record.value());
    }

    @Test
    void exactDuplicateSubmittedTwiceIsDroppedNamingTheFirstSubmission() throws Exception {
        String text = ClinicalNotes.STEMI;
        String id = ClinicalNotes.docId(text);
        DocumentIngested first = Documents.ingested(id, text, "en");
        DocumentIngested second = Documents.ingested(id, text, "en");

        RecordMetadata firstAt = kafka.send(Topics.DOCS_INGESTED, id, AvroSerializer.encode(first));
        DocumentAccepted accepted = new AvroDeserializer<>(DocumentAccepted.class)
                .decode(kafka.await(Topics.DOCS_ACCEPTED, id).value());
        RecordMetadata secondAt = kafka.send(Topics.DOCS_INGESTED, id, AvroSerializer.encode(second));
        DocumentDropped duplicate = dropped(kafka.await(Topics.DOCS_DROPPED, id));

        assertThat(accepted.getIngestedEventId()).isEqualTo(first.getEventId());
        assertThat(secondAt.partition()).isEqualTo(firstAt.partition());
        assertThat(duplicate.getReasons()).containsExactly("duplicate_exact");
        assertThat(duplicate.getDuplicateOf()).isEqualTo(id);
        assertThat(duplicate.getIngestedEventId()).isEqualTo(second.getEventId());
        assertThat(duplicate.getScores()).containsEntry("duplicate_first_offset", (double) firstAt.offset());
        ExactEntry state = DedupCodec.decodeExact(kafka.await(Topics.FILTER_DEDUP_EXACT, id).value());
        assertThat(state.ingestedEventId()).isEqualTo(first.getEventId());
        assertThat(state.partition()).isEqualTo(firstAt.partition());
        assertThat(kafka.all(Topics.FILTER_DEDUP_EXACT, id)).hasSize(1)
                .allSatisfy(r -> assertThat(r.partition()).isEqualTo(firstAt.partition()));
        assertThat(kafka.all(Topics.FILTER_DEDUP_MINHASH, id)).hasSize(1);
        assertThat(kafka.all(Topics.DOCS_ACCEPTED, id)).hasSize(1);
    }

    @Test
    void nearDuplicateOnAnotherPartitionIsDroppedNamingTheOriginal() throws Exception {
        String original = ClinicalNotes.PNEUMONIA;
        // Edit the copy until its doc_id (the record key) falls on another partition than the original's.
        String copy = null;
        for (int days = 7; copy == null; days++) {
            String candidate = original.replace("after six days", "after " + days + " days");
            if (partitionOf(ClinicalNotes.docId(candidate)) != partitionOf(ClinicalNotes.docId(original))) {
                copy = candidate;
            }
        }

        RecordMetadata originalAt = submit(original);
        kafka.await(Topics.DOCS_ACCEPTED, ClinicalNotes.docId(original));
        RecordMetadata copyAt = submit(copy);
        DocumentDropped duplicate = dropped(kafka.await(Topics.DOCS_DROPPED, ClinicalNotes.docId(copy)));

        assertThat(copyAt.partition()).isNotEqualTo(originalAt.partition());
        assertThat(duplicate.getReasons()).containsExactly("duplicate_near");
        assertThat(duplicate.getDuplicateOf()).isEqualTo(ClinicalNotes.docId(original));
        assertThat(duplicate.getScores().get("duplicate_jaccard")).isBetween(0.7, 1.0);
        assertThat(kafka.all(Topics.FILTER_DEDUP_MINHASH, ClinicalNotes.docId(copy))).isEmpty();
    }

    @Test
    void freshStateRestoredFromTheTopicsRecognisesEarlierDocuments() throws Exception {
        String text = ClinicalNotes.APPENDICITIS;
        String id = ClinicalNotes.docId(text);
        RecordMetadata at = submit(text);
        kafka.await(Topics.DOCS_ACCEPTED, id);
        kafka.await(Topics.FILTER_DEDUP_MINHASH, id);

        DedupSettings settings = DedupSettings.defaults();
        ExactIndex exact = new ExactIndex();
        LshIndex near = new LshIndex(settings);
        try (KafkaDedupState restored = new KafkaDedupState(
                Map.of("bootstrap.servers", KafkaTestResource.bootstrapServers()), settings, Topics.DOCS_INGESTED,
                "restore-test", exact, near, DedupEvents.NONE)) {
            restored.start();
            Deduplicator fresh = new Deduplicator(settings, "restore-test", exact, near, restored);
            fresh.beginBatch(1, Set.of(0, 1, 2));

            assertThat(exact.get(at.partition(), id)).isNotNull();
            assertThat(near.containsDocument(id)).isTrue();
            DedupOutcome again = fresh.check(request(id, at.partition(), text));
            assertThat(again).isInstanceOf(DedupOutcome.ExactDuplicate.class);
            assertThat(again.duplicateOf()).isEqualTo(id);
            String copy = text.replace("twenty hours", "a day");
            int elsewhere = (at.partition() + 1) % PARTITIONS;
            DedupOutcome nearCopy = fresh.check(request(ClinicalNotes.docId(copy), elsewhere, copy));
            assertThat(nearCopy).isInstanceOf(DedupOutcome.NearDuplicate.class);
            assertThat(nearCopy.duplicateOf()).isEqualTo(id);
            assertThat(restored.problem()).isNull();
        }
    }

    @Test
    void nearDuplicatesAcceptedByTwoReplicasAtOnceAreCountedWhenTheStateShowsThem() throws Exception {
        String text = ClinicalNotes.DIABETIC_KETOACIDOSIS;
        String id = ClinicalNotes.docId(text);
        submit(text);
        kafka.await(Topics.FILTER_DEDUP_MINHASH, id);
        DedupSettings settings = DedupSettings.defaults();
        // Another replica accepted a copy of it at the same time (so it did not see this one): its state entry.
        // Of the two instances, the one whose own document has the smaller id reports the pair: here, this one.
        String theirs = "dzz-accepted-by-another-replica";
        int[] signature = Deduplicator.inMemory(settings).signature(text, "en");
        kafka.send(Topics.FILTER_DEDUP_MINHASH, (partitionOf(id) + 1) % PARTITIONS, theirs, DedupCodec.encode(
                new NearEntry(theirs, "en", settings.scheme(), signature, 0, 0, 0, "another-replica")));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                .statusCode(200).body(matchesPattern("(?s).*mmed_dedup_near_both_accepted_total(\\{[^}]*})? "
                        + "[1-9].*")));
    }

    private static DedupRequest request(String docId, int partition, String text) {
        return new DedupRequest(docId, partition, 1_000_000, "restore-check", null, -1, -1, "test", text, "en", 0L);
    }
}
