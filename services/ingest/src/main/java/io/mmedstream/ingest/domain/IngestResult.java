package io.mmedstream.ingest.domain;

import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;

import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.SourcePosition;
import io.mmedstream.proto.Topics;

/** What ingest made of one submission: exactly one event, for exactly one topic. */
public sealed interface IngestResult {

    /** The event to write. */
    SpecificRecord event();

    /** The topic the event belongs on. */
    String topic();

    /** The record key of the event. */
    String key();

    /** Where the submission was read from. */
    SourcePosition origin();

    /** The submission became a document. */
    record Ingested(DocumentIngested event) implements IngestResult {

        public Ingested {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String topic() {
            return Topics.DOCS_INGESTED;
        }

        @Override
        public String key() {
            return event.getDocId();
        }

        @Override
        public SourcePosition origin() {
            return event.getOrigin();
        }
    }

    /**
     * The submission was rejected; the event carries its original bytes.
     *
     * @param event the dead-letter event
     * @param reason why, as an enum (the event holds its code)
     * @param defect for {@link RejectionReason#INTERNAL_ERROR} only: the exception of ours that failed, for the log;
     *        null otherwise
     */
    record Rejected(DocumentRejected event, RejectionReason reason, Throwable defect) implements IngestResult {

        public Rejected {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String topic() {
            return Topics.DOCS_REJECTED;
        }

        @Override
        public String key() {
            return event.getKey();
        }

        @Override
        public SourcePosition origin() {
            return event.getOrigin();
        }
    }
}
