package io.mmedstream.filter.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DeduplicatorTest {

    static final String NOTE = "A 67-year-old man with a history of hypertension and type 2 diabetes presented to the"
            + " emergency department with ninety minutes of crushing retrosternal chest pain radiating to the left"
            + " arm, with diaphoresis and nausea. The electrocardiogram showed ST-segment elevation in the inferior"
            + " leads and high-sensitivity troponin was raised. He received aspirin, ticagrelor and heparin and"
            + " underwent primary angioplasty of the right coronary artery with one drug-eluting stent. He was"
            + " discharged on the fourth day on dual antiplatelet therapy, a statin and a beta blocker.";
    /** NOTE with two words changed: about 0.85 Jaccard on 5-word shingles. */
    static final String NOTE_EDITED = NOTE.replace("ninety minutes", "two hours").replace("fourth day", "fifth day");
    static final String OTHER = "A 45-year-old woman consulted for abdominal pain in the right lower quadrant, fever"
            + " and vomiting for two days. Ultrasound and computed tomography showed acute appendicitis without"
            + " perforation. Laparoscopic appendectomy was performed under general anaesthesia and intravenous"
            + " antibiotics were given; she went home on the second postoperative day without complications.";

    private final Deduplicator dedup = Deduplicator.inMemory(DedupSettings.defaults());

    private static DedupRequest doc(String docId, int partition, long offset, String text) {
        return new DedupRequest(docId, partition, offset, "event-" + docId + "-" + offset, "mmed.docs.submitted.v1",
                0, 100 + offset, "test", text, "en", 1_700_000_000_000L + offset);
    }

    @Test
    void sameDocIdAcceptedBeforeIsAnExactDuplicateNamingTheFirstSubmission() {
        dedup.beginBatch(1, Set.of(0));
        assertThat(dedup.check(doc("d1", 0, 10, NOTE))).isInstanceOf(DedupOutcome.Unique.class);
        dedup.commit();

        dedup.beginBatch(1, Set.of(0));
        DedupOutcome second = dedup.check(doc("d1", 0, 11, NOTE));

        assertThat(second).isInstanceOf(DedupOutcome.ExactDuplicate.class);
        assertThat(second.reason()).isEqualTo("duplicate_exact");
        assertThat(second.duplicateOf()).isEqualTo("d1");
        assertThat(((DedupOutcome.ExactDuplicate) second).first().ingestedEventId()).isEqualTo("event-d1-10");
        assertThat(second.scores()).containsEntry("duplicate_first_offset", 10.0)
                .containsEntry("duplicate_first_origin_offset", 110.0);
    }

    @Test
    void duplicatesInsideOneBatchAreCaught() {
        dedup.beginBatch(1, Set.of(0, 1));

        assertThat(dedup.check(doc("d1", 0, 1, NOTE)).duplicate()).isFalse();
        assertThat(dedup.check(doc("d1", 0, 2, NOTE)).reason()).isEqualTo("duplicate_exact");
        DedupOutcome near = dedup.check(doc("d2", 1, 1, NOTE_EDITED));
        assertThat(near.reason()).isEqualTo("duplicate_near");
        assertThat(near.duplicateOf()).isEqualTo("d1");
        assertThat(near.scores().get("duplicate_jaccard")).isGreaterThanOrEqualTo(0.7);
    }

    @Test
    void nearDuplicateOnAnotherPartitionIsCaughtWithItsEstimatedJaccard() {
        dedup.beginBatch(1, Set.of(0));
        dedup.check(doc("d1", 0, 1, NOTE));
        dedup.commit();

        dedup.beginBatch(1, Set.of(2));
        DedupOutcome outcome = dedup.check(doc("d2", 2, 1, NOTE_EDITED));

        assertThat(outcome).isInstanceOf(DedupOutcome.NearDuplicate.class);
        assertThat(outcome.duplicateOf()).isEqualTo("d1");
        double jaccard = ((DedupOutcome.NearDuplicate) outcome).jaccard();
        double exact = NearDupTestSet.jaccard(new Shingler(DedupSettings.defaults()).shingles(NOTE, "en"),
                new Shingler(DedupSettings.defaults()).shingles(NOTE_EDITED, "en"));
        assertThat(jaccard).isBetween(exact - 0.15, exact + 0.15);
    }

    @Test
    void unrelatedDocumentIsUniqueAndCarriesItsStateEntries() {
        dedup.beginBatch(1, Set.of(0));
        dedup.check(doc("d1", 0, 1, NOTE));
        DedupOutcome outcome = dedup.check(doc("d3", 0, 2, OTHER));

        assertThat(outcome).isInstanceOf(DedupOutcome.Unique.class);
        DedupOutcome.Unique unique = (DedupOutcome.Unique) outcome;
        assertThat(unique.exact().docId()).isEqualTo("d3");
        assertThat(unique.exact().partition()).isZero();
        assertThat(unique.exact().offset()).isEqualTo(2);
        assertThat(unique.near().signature()).hasSize(112);
        assertThat(unique.near().scheme()).isEqualTo(DedupSettings.defaults().scheme());
    }

    @Test
    void anAbortedBatchLeavesNoStateSoItsReplayAcceptsTheSameDocuments() {
        dedup.beginBatch(1, Set.of(0));
        assertThat(dedup.check(doc("d1", 0, 1, NOTE)).duplicate()).isFalse();
        dedup.abort();

        dedup.beginBatch(1, Set.of(0));
        assertThat(dedup.check(doc("d1", 0, 1, NOTE)).duplicate()).isFalse();
        dedup.commit();

        assertThat(dedup.exactIndex().get(0, "d1")).isNotNull();
        assertThat(dedup.nearIndex().size()).isEqualTo(1);
    }

    @Test
    void uncommittedBatchIsForgottenWhenTheNextBatchBegins() {
        dedup.beginBatch(1, Set.of(0));
        dedup.check(doc("d1", 0, 1, NOTE));

        dedup.beginBatch(2, Set.of(0));

        assertThat(dedup.check(doc("d1", 0, 1, NOTE)).duplicate()).isFalse();
    }

    @Test
    void disabledKindsAreNotChecked() {
        DedupSettings d = DedupSettings.defaults();
        Deduplicator nearOnly = Deduplicator.inMemory(new DedupSettings(false, true, d.exactTopic(),
                d.minhashTopic(), 5, 5, d.charLanguages(), 14, 8, 0.7, d.restoreTimeout()));
        Deduplicator exactOnly = Deduplicator.inMemory(new DedupSettings(true, false, d.exactTopic(),
                d.minhashTopic(), 5, 5, d.charLanguages(), 14, 8, 0.7, d.restoreTimeout()));
        for (Deduplicator x : List.of(nearOnly, exactOnly)) {
            x.beginBatch(1, Set.of(0));
            x.check(doc("d1", 0, 1, NOTE));
            x.commit();
        }

        assertThat(nearOnly.check(doc("d1", 0, 2, NOTE)).reason()).isEqualTo("duplicate_near");
        assertThat(exactOnly.check(doc("d1", 0, 2, NOTE)).reason()).isEqualTo("duplicate_exact");
        assertThat(exactOnly.check(doc("d2", 0, 3, NOTE_EDITED)).duplicate()).isFalse();
        assertThat(((DedupOutcome.Unique) exactOnly.check(doc("d4", 0, 4, OTHER))).near()).isNull();
    }
}
