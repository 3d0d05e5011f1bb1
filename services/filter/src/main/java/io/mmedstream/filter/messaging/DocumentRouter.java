package io.mmedstream.filter.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.mmedstream.filter.dedup.DedupCodec;
import io.mmedstream.filter.dedup.DedupOutcome;
import io.mmedstream.filter.dedup.DedupRequest;
import io.mmedstream.filter.dedup.Deduplicator;
import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterException;
import io.mmedstream.filter.service.FilterException.Reason;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.DocumentDropped;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.SourcePosition;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

/**
 * Decides, for one consumed record, the one record the filter writes for it: a DocumentAccepted, a DocumentDropped,
 * or a dead letter. This is the single place where failures are classified; it never throws for a record, so one
 * bad record can neither stop the stream nor abort the other records of its batch. Plain Java over Kafka's record
 * types: unit tests and tools run it without a broker.
 *
 * <p>Dead letters (all permanent failures, see {@link Reason}): the record's value cannot be read as a
 * DocumentIngested ({@code invalid_avro}), breaks its contract ({@code invalid_record}), makes the filter fail
 * ({@code processing_error}), or its decision would exceed the record size limit ({@code too_large}). The dead letter
 * keeps the original key, value and headers and adds {@link DeadLetterHeaders}.
 *
 * <p>Deduplication (with a {@link Deduplicator}, as in the service): a document the engine accepts is then checked
 * for an exact duplicate, then for a near duplicate, among the documents accepted before; a duplicate becomes a
 * DocumentDropped ({@code duplicate_exact} or {@code duplicate_near}, {@code duplicate_of} naming the document it
 * duplicates), a unique document a DocumentAccepted plus its entries for the dedup state topics, to be written in
 * the same transaction. Only accepted documents enter the dedup state, so a dropped document never blocks a later
 * good one. Without a deduplicator the router decides each document alone (as {@code ./mmed classify} does).
 */
public final class DocumentRouter {

    /** Room left under {@link Topics#MAX_RECORD_BYTES} for the key, headers and record overhead. */
    static final int RECORD_HEADROOM_BYTES = 64 * 1024;
    static final int MAX_VALUE_BYTES = Topics.MAX_RECORD_BYTES - RECORD_HEADROOM_BYTES;
    private static final int MAX_CAUSE_CHARS = 1000;
    private static final String SERVICE = "filter";

    /** What became of a record. */
    public enum Kind {
        ACCEPTED, DROPPED, DEAD_LETTER
    }

    /** A consumed record, as the router needs it. */
    public record Incoming(String topic, int partition, long offset, String key, byte[] value, Headers headers) {
        public Incoming {
            headers = headers == null ? new RecordHeaders() : headers;
        }

        /** "topic-partition@offset", for logs. */
        public String position() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    /**
     * The record to write for one consumed record.
     *
     * @param kind    accepted, dropped or dead letter
     * @param topic   the topic to write to
     * @param key     the record key: the doc_id; for a dead letter the original key, else "topic-partition-offset"
     * @param value   the serialised value
     * @param headers headers to write (dead letters only)
     * @param docId   the document id, null when the record could not be read
     * @param verdict the engine's verdict, null for a dead letter (accepted for a document dropped as a duplicate)
     * @param failure the failure, null unless a dead letter
     * @param dedup   what the deduplication step decided, null when it did not run (engine drop, dead letter, no
     *                deduplicator)
     * @param state   records for the dedup state topics, written in the same transaction (accepted documents only)
     */
    public record Routed(Kind kind, String topic, String key, byte[] value, Headers headers, String docId,
            FilterVerdict verdict, FilterException failure, DedupOutcome dedup, List<StateRecord> state) {

        public Routed {
            state = state == null ? List.of() : List.copyOf(state);
        }

        /** The language the decision was made in, or null (too short; dead letter). */
        public String lang() {
            return verdict == null ? null : verdict.lang();
        }

        /** The deciding drop reason: the duplicate reason, else the engine's; null unless dropped. */
        public String dropReason() {
            if (kind != Kind.DROPPED) {
                return null;
            }
            return dedup != null && dedup.duplicate() ? dedup.reason() : verdict.primaryReason();
        }
    }

    /** A record for a dedup state topic: explicit partition (the input record's), doc_id key, encoded entry. */
    public record StateRecord(String topic, int partition, String key, byte[] value) {
    }

    private final DocumentFilter filter;
    private final String deadLetterTopic;
    private final boolean keepDroppedText;
    private final Clock clock;
    private final Deduplicator deduplicator;
    private final AvroDeserializer<DocumentIngested> reader = new AvroDeserializer<>(DocumentIngested.class);

    /** A router without deduplication. */
    public DocumentRouter(DocumentFilter filter, String deadLetterTopic, boolean keepDroppedText) {
        this(filter, deadLetterTopic, keepDroppedText, Clock.systemUTC());
    }

    /** A router without deduplication. */
    public DocumentRouter(DocumentFilter filter, String deadLetterTopic, boolean keepDroppedText, Clock clock) {
        this(filter, deadLetterTopic, keepDroppedText, clock, null);
    }

    /** A router that deduplicates accepted documents with {@code deduplicator} (null: none). */
    public DocumentRouter(DocumentFilter filter, String deadLetterTopic, boolean keepDroppedText, Clock clock,
            Deduplicator deduplicator) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        this.keepDroppedText = keepDroppedText;
        this.clock = clock;
        this.deduplicator = deduplicator;
    }

    /** This router, deduplicating with {@code deduplicator}. */
    public DocumentRouter withDeduplicator(Deduplicator newDeduplicator) {
        return new DocumentRouter(filter, deadLetterTopic, keepDroppedText, clock, newDeduplicator);
    }

    /** The deduplication step, or null when this router does not deduplicate. */
    public Deduplicator deduplicator() {
        return deduplicator;
    }

    /** The dead-letter topic this router writes to. */
    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Decides what to write for a consumed record. Never throws for the record's content. */
    public Routed route(Incoming in) {
        DocumentIngested doc;
        try {
            doc = read(in);
        } catch (FilterException e) {
            return deadLetter(in, null, e);
        }
        try {
            return decide(doc, in);
        } catch (FilterException e) {
            return deadLetter(in, doc.getDocId(), e);
        } catch (RuntimeException | StackOverflowError e) {
            // A defect in the filter (a stack overflow too: a pathological text must not stop the channel and come
            // back after every restart): keep the record for a fixed version to replay.
            return deadLetter(in, doc.getDocId(), new FilterException(Reason.PROCESSING_ERROR,
                    "the filter failed on document " + doc.getDocId() + ": " + e, e));
        }
    }

    private Routed decide(DocumentIngested doc, Incoming in) {
        FilterVerdict verdict = filter.classify(doc.getText(), doc.getDeclaredLang());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String eventId = eventId(doc);
        if (!verdict.accepted()) {
            return dropped(doc, verdict, null, eventId, now);
        }
        byte[] value = checkSize(doc, AvroSerializer.encode(DocumentAccepted.newBuilder()
                .setEventId(eventId)
                .setOccurredAt(now)
                .setDocId(doc.getDocId())
                .setText(verdict.textOr(doc.getText()))
                .setLang(verdict.lang())
                .setSource(doc.getSource())
                .setUrl(doc.getUrl())
                .setLicense(doc.getLicense())
                .setExternalId(doc.getExternalId())
                .setMetadata(new LinkedHashMap<>(doc.getMetadata()))
                .setScores(new LinkedHashMap<>(verdict.scores()))
                .setFilterVersion(filter.version())
                .setIngestedEventId(doc.getEventId())
                .build()));
        // Deduplication last, once nothing else can fail: a unique document joins the batch's pending dedup state,
        // which must then be written with it. Near duplicates are compared on the published (PII-masked) text.
        DedupOutcome dedup = deduplicator == null ? null
                : deduplicator.check(dedupRequest(doc, in, verdict, now));
        if (dedup != null && dedup.duplicate()) {
            return dropped(doc, verdict, dedup, eventId, now);
        }
        List<StateRecord> state = dedup instanceof DedupOutcome.Unique unique
                ? stateRecords(unique, in.partition()) : List.of();
        return new Routed(Kind.ACCEPTED, Topics.DOCS_ACCEPTED, doc.getDocId(), value, new RecordHeaders(),
                doc.getDocId(), verdict, null, dedup, state);
    }

    /** Dropped by the engine ({@code dedup} null) or as a duplicate. */
    private Routed dropped(DocumentIngested doc, FilterVerdict verdict, DedupOutcome dedup, String eventId,
            Instant now) {
        boolean duplicate = dedup != null && dedup.duplicate();
        Map<String, Double> scores = new LinkedHashMap<>(verdict.scores());
        if (duplicate) {
            scores.putAll(dedup.scores());
        }
        byte[] value = checkSize(doc, AvroSerializer.encode(DocumentDropped.newBuilder()
                .setEventId(eventId)
                .setOccurredAt(now)
                .setDocId(doc.getDocId())
                .setLang(verdict.lang())
                .setReasons(duplicate ? List.of(dedup.reason()) : verdict.reasons())
                .setScores(scores)
                .setSource(doc.getSource())
                .setText(keepDroppedText ? doc.getText() : null)
                .setFilterVersion(filter.version())
                .setIngestedEventId(doc.getEventId())
                .setDuplicateOf(duplicate ? dedup.duplicateOf() : null)
                .build()));
        return new Routed(Kind.DROPPED, Topics.DOCS_DROPPED, doc.getDocId(), value, new RecordHeaders(),
                doc.getDocId(), verdict, null, dedup, List.of());
    }

    private static byte[] checkSize(DocumentIngested doc, byte[] value) {
        if (value.length > MAX_VALUE_BYTES) {
            throw new FilterException(Reason.RECORD_TOO_LARGE, "the decision on " + doc.getDocId() + " encodes to "
                    + value.length + " bytes, over the limit of " + MAX_VALUE_BYTES);
        }
        return value;
    }

    private static DedupRequest dedupRequest(DocumentIngested doc, Incoming in, FilterVerdict verdict, Instant now) {
        SourcePosition origin = doc.getOrigin();
        return new DedupRequest(doc.getDocId(), in.partition(), in.offset(), doc.getEventId(),
                origin == null ? null : origin.getTopic(), origin == null ? -1 : origin.getPartition(),
                origin == null ? -1 : origin.getOffset(), doc.getSource(), verdict.textOr(doc.getText()),
                verdict.lang(), now.toEpochMilli());
    }

    private List<StateRecord> stateRecords(DedupOutcome.Unique unique, int partition) {
        List<StateRecord> records = new ArrayList<>(2);
        if (unique.exact() != null) {
            records.add(new StateRecord(deduplicator.settings().exactTopic(), partition, unique.exact().docId(),
                    DedupCodec.encode(unique.exact())));
        }
        if (unique.near() != null) {
            records.add(new StateRecord(deduplicator.settings().minhashTopic(), partition, unique.near().docId(),
                    DedupCodec.encode(unique.near())));
        }
        return records;
    }

    private DocumentIngested read(Incoming in) {
        if (in.value() == null || in.value().length == 0) {
            throw new FilterException(Reason.UNREADABLE_RECORD,
                    "the record at " + in.position() + " has no value");
        }
        DocumentIngested doc;
        try {
            doc = reader.decode(in.value());
        } catch (SerializationException | AvroRuntimeException e) {
            throw new FilterException(Reason.UNREADABLE_RECORD, "the record at " + in.position()
                    + " is not a readable DocumentIngested: " + describe(e), e);
        }
        if (doc.getDocId() == null || doc.getDocId().isBlank()) {
            throw new FilterException(Reason.INVALID_RECORD, "the DocumentIngested at " + in.position()
                    + " has a blank doc_id");
        }
        long textBytes = utf8Length(doc.getText());
        if (textBytes > Topics.MAX_TEXT_BYTES) {
            throw new FilterException(Reason.INVALID_RECORD, "document " + doc.getDocId() + " has " + textBytes
                    + " bytes of text, over the contract's limit of " + Topics.MAX_TEXT_BYTES);
        }
        return doc;
    }

    private Routed deadLetter(Incoming in, String docId, FilterException failure) {
        byte[] original = in.value() == null ? new byte[0] : in.value();
        boolean truncated = original.length > MAX_VALUE_BYTES;
        Headers headers = new RecordHeaders();
        for (Header h : in.headers()) {
            headers.add(h.key(), h.value());
        }
        header(headers, DeadLetterHeaders.REASON, failure.reason().code());
        header(headers, DeadLetterHeaders.CAUSE, abbreviate(failure.getMessage()));
        if (failure.getCause() != null) {
            header(headers, DeadLetterHeaders.CAUSE_CLASS, failure.getCause().getClass().getName());
        }
        header(headers, DeadLetterHeaders.TOPIC, in.topic());
        header(headers, DeadLetterHeaders.PARTITION, Integer.toString(in.partition()));
        header(headers, DeadLetterHeaders.OFFSET, Long.toString(in.offset()));
        header(headers, DeadLetterHeaders.SERVICE, SERVICE);
        header(headers, DeadLetterHeaders.ORIGINAL_SIZE, Integer.toString(in.value() == null ? -1 : original.length));
        if (truncated) {
            header(headers, DeadLetterHeaders.ORIGINAL_TRUNCATED, "true");
        }
        String key = in.key() != null ? in.key() : in.topic() + "-" + in.partition() + "-" + in.offset();
        byte[] value = truncated ? Arrays.copyOf(original, MAX_VALUE_BYTES) : original;
        return new Routed(Kind.DEAD_LETTER, deadLetterTopic, key, value, headers, docId, null, failure, null,
                List.of());
    }

    /**
     * Deterministic per input and filter version: reprocessing the same DocumentIngested (after an aborted
     * transaction, or a replay) yields the same event id, so consumers can recognise a repeat.
     */
    private String eventId(DocumentIngested doc) {
        String name = "filter|" + doc.getEventId() + "|" + filter.version();
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void header(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !Objects.equals(cause.getMessage(), message)) {
            message = message + ": " + cause.getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_CAUSE_CHARS ? s : s.substring(0, MAX_CAUSE_CHARS) + "...";
    }

    private static long utf8Length(CharSequence s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
