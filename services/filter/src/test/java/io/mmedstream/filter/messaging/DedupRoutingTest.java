package io.mmedstream.filter.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.mmedstream.filter.dedup.DedupCodec;
import io.mmedstream.filter.dedup.DedupSettings;
import io.mmedstream.filter.dedup.Deduplicator;
import io.mmedstream.filter.dedup.ExactEntry;
import io.mmedstream.filter.dedup.NearEntry;
import io.mmedstream.filter.messaging.DocumentRouter.Incoming;
import io.mmedstream.filter.messaging.DocumentRouter.Kind;
import io.mmedstream.filter.messaging.DocumentRouter.Routed;
import io.mmedstream.filter.service.Samples;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

/** The router's deduplication step: engine accept, then exact, then near, with the state records to write. */
class DedupRoutingTest {

    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05.678Z");

    private final Deduplicator dedup = Deduplicator.inMemory(DedupSettings.defaults());
    private final DocumentRouter router = new DocumentRouter(Samples.defaultFilter(), "dlq", true,
            Clock.fixed(NOW, ZoneOffset.UTC), dedup);

    private Routed route(int partition, long offset, DocumentIngested doc) {
        return router.route(new Incoming(Topics.DOCS_INGESTED, partition, offset, doc.getDocId(),
                AvroSerializer.encode(doc), new RecordHeaders()));
    }

    private static DocumentDropped dropped(Routed routed) {
        return new AvroDeserializer<>(DocumentDropped.class).decode(routed.value());
    }

    @Test
    void acceptedDocumentCarriesItsStateRecordsForItsInputPartition() {
        String id = ClinicalNotes.docId(ClinicalNotes.STEMI);
        DocumentIngested doc = Documents.ingested(id, ClinicalNotes.STEMI, "en");
        dedup.beginBatch(1, java.util.Set.of(2));

        Routed routed = route(2, 40, doc);

        assertThat(routed.kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(routed.state()).extracting(DocumentRouter.StateRecord::topic)
                .containsExactly(Topics.FILTER_DEDUP_EXACT, Topics.FILTER_DEDUP_MINHASH);
        assertThat(routed.state()).allSatisfy(s -> {
            assertThat(s.partition()).isEqualTo(2);
            assertThat(s.key()).isEqualTo(id);
        });
        ExactEntry exact = DedupCodec.decodeExact(routed.state().get(0).value());
        assertThat(exact.ingestedEventId()).isEqualTo(doc.getEventId());
        assertThat(exact.offset()).isEqualTo(40);
        NearEntry near = DedupCodec.decodeNear(routed.state().get(1).value());
        assertThat(near.lang()).isEqualTo("en");
        assertThat(near.signature()).hasSize(112);
    }

    @Test
    void secondSubmissionOfTheSameTextIsDroppedAsExactDuplicateNamingTheFirst() {
        String id = ClinicalNotes.docId(ClinicalNotes.STEMI);
        DocumentIngested first = Documents.ingested(id, ClinicalNotes.STEMI, "en");
        DocumentIngested again = Documents.ingested(id, ClinicalNotes.STEMI, "en");
        dedup.beginBatch(1, java.util.Set.of(0));
        assertThat(route(0, 7, first).kind()).isEqualTo(Kind.ACCEPTED);
        dedup.commit();
        dedup.beginBatch(1, java.util.Set.of(0));

        Routed routed = route(0, 9, again);

        assertThat(routed.kind()).isEqualTo(Kind.DROPPED);
        assertThat(routed.dropReason()).isEqualTo("duplicate_exact");
        assertThat(routed.state()).isEmpty();
        DocumentDropped event = dropped(routed);
        assertThat(event.getReasons()).containsExactly("duplicate_exact");
        assertThat(event.getDuplicateOf()).isEqualTo(id);
        assertThat(event.getIngestedEventId()).isEqualTo(again.getEventId());
        assertThat(event.getLang()).isEqualTo("en");
        assertThat(event.getScores()).containsEntry("duplicate_first_offset", 7.0);
        assertThat(event.getText()).isEqualTo(ClinicalNotes.STEMI);
    }

    @Test
    void nearCopyOnAnotherPartitionIsDroppedAsNearDuplicateWithItsJaccard() {
        String copy = ClinicalNotes.PNEUMONIA.replace("three days", "four days").replace("six days", "a week");
        dedup.beginBatch(1, java.util.Set.of(0));
        route(0, 1, Documents.ingested(ClinicalNotes.docId(ClinicalNotes.PNEUMONIA), ClinicalNotes.PNEUMONIA, "en"));
        dedup.commit();
        dedup.beginBatch(1, java.util.Set.of(1));

        Routed routed = route(1, 1, Documents.ingested(ClinicalNotes.docId(copy), copy, "en"));

        assertThat(routed.dropReason()).isEqualTo("duplicate_near");
        DocumentDropped event = dropped(routed);
        assertThat(event.getDuplicateOf()).isEqualTo(ClinicalNotes.docId(ClinicalNotes.PNEUMONIA));
        assertThat(event.getScores().get("duplicate_jaccard")).isBetween(0.7, 1.0);
    }

    @Test
    void documentsTheEngineDropsNeverEnterTheDedupState() {
        dedup.beginBatch(1, java.util.Set.of(0));

        Routed news = route(0, 1, Documents.ingested("dnews", Samples.EN_NEWS, "en"));
        dedup.commit();

        assertThat(news.kind()).isEqualTo(Kind.DROPPED);
        assertThat(news.dedup()).isNull();
        assertThat(news.state()).isEmpty();
        assertThat(dedup.exactIndex().size()).isZero();
        assertThat(dedup.nearIndex().size()).isZero();
    }

    @Test
    void routerWithoutDeduplicatorAcceptsTheSameTextTwice() {
        DocumentRouter plain = new DocumentRouter(Samples.defaultFilter(), "dlq", true);
        DocumentIngested doc = Documents.ingested("dx", ClinicalNotes.APPENDICITIS, "en");
        Incoming in = new Incoming(Topics.DOCS_INGESTED, 0, 1, "dx", AvroSerializer.encode(doc), null);

        assertThat(plain.route(in).kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(plain.route(in).kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(plain.route(in).state()).isEmpty();
    }
}
