package io.mmedstream.ingest.service;

import static io.mmedstream.ingest.domain.RejectionReason.BLANK_TEXT;
import static io.mmedstream.ingest.domain.RejectionReason.INTERNAL_ERROR;
import static io.mmedstream.ingest.domain.RejectionReason.TOO_LARGE;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.mmedstream.ingest.domain.IngestResult;
import io.mmedstream.ingest.domain.InvalidSubmissionException;
import io.mmedstream.ingest.domain.RejectionReason;
import io.mmedstream.ingest.domain.Submission;
import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.SourcePosition;

/**
 * The whole of ingest's decision for one submission, without Kafka: validate ({@link SubmissionParser}), normalise
 * ({@link TextNormalizer}), check sizes, derive the id ({@link DocumentIds}), and build either a
 * {@link DocumentIngested} or a {@link DocumentRejected}. Never throws for any input: every submission gets exactly
 * one result, so one bad record can never stop the stream.
 *
 * <p>Thread-safe.
 */
public final class SubmissionProcessor {

    /** A submission key is used as the rejection's key only up to this size; longer keys fall back to the origin. */
    static final int MAX_KEY_BYTES = 1024;
    /** A rejection carries the submitter's external_id only up to this length (it bounds the event's size). */
    static final int MAX_EXTERNAL_ID_IN_REJECTION = 1024;
    static final int MAX_MESSAGE_CHARS = 2000;

    private static final byte[] EMPTY = new byte[0];

    private final IngestLimits limits;
    private final SubmissionParser parser;
    private final Clock clock;

    public SubmissionProcessor(IngestLimits limits, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.parser = new SubmissionParser(limits);
    }

    public IngestLimits limits() {
        return limits;
    }

    /**
     * Decides one submission.
     *
     * @param key the record key, or null
     * @param value the record value, or null (a tombstone)
     * @param origin where the record was read
     * @param submittedAt the record's timestamp
     * @return an {@link IngestResult.Ingested} or an {@link IngestResult.Rejected}, never null
     */
    public IngestResult process(byte[] key, byte[] value, SourcePosition origin, Instant submittedAt) {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(submittedAt, "submittedAt");
        Submission submission = null;
        try {
            submission = parser.parse(value);
            return ingest(submission, origin, submittedAt);
        } catch (InvalidSubmissionException e) {
            String externalId = e.externalId() != null ? e.externalId()
                    : submission != null ? submission.externalId() : null;
            return reject(key, value, origin, e.reason(), e.getMessage(), externalId, null);
        } catch (RuntimeException e) {
            // A defect of ours, not of the submission. Retrying cannot help (the same bytes fail the same way), so
            // the submission is dead-lettered with the cause instead of stopping the partition behind it.
            return reject(key, value, origin, INTERNAL_ERROR, "ingest failed on this submission: " + e,
                    submission != null ? submission.externalId() : null, e);
        }
    }

    private IngestResult ingest(Submission submission, SourcePosition origin, Instant submittedAt)
            throws InvalidSubmissionException {
        String text = TextNormalizer.normalize(submission.text());
        if (text.isEmpty()) {
            throw new InvalidSubmissionException(BLANK_TEXT, submission.text().isEmpty()
                    ? "field 'text' is empty"
                    : "field 'text' is blank: its " + submission.text().length()
                            + " characters are all white space or control characters");
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > limits.maxTextBytes()) {
            throw new InvalidSubmissionException(TOO_LARGE, "field 'text' is " + utf8.length
                    + " bytes of UTF-8 after normalisation, over the limit of " + limits.maxTextBytes() + " bytes");
        }
        long eventBytes = estimateEventBytes(utf8.length, submission);
        if (eventBytes > limits.maxEventBytes()) {
            throw new InvalidSubmissionException(TOO_LARGE, "the submission's fields add up to about " + eventBytes
                    + " bytes (text " + utf8.length + "), over the " + limits.maxEventBytes()
                    + " bytes a DocumentIngested may carry; shrink 'metadata' or the other fields");
        }
        DocumentIngested event = DocumentIngested.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(clock.instant())
                .setDocId(DocumentIds.of(utf8))
                .setText(text)
                .setSource(submission.source())
                .setUrl(submission.url())
                .setDeclaredLang(submission.lang())
                .setLicense(submission.license())
                .setExternalId(submission.externalId())
                .setMetadata(submission.metadata())
                .setCharCount(text.codePointCount(0, text.length()))
                .setByteCount(utf8.length)
                .setSubmittedAt(submittedAt)
                .setOrigin(origin)
                .build();
        return new IngestResult.Ingested(event);
    }

    /** An upper bound of the Avro size of the event: field bytes plus length prefixes plus fixed fields. */
    private static long estimateEventBytes(int textBytes, Submission s) {
        long bytes = IngestLimits.INGESTED_OVERHEAD + textBytes;
        bytes += stringBytes(s.source()) + stringBytes(s.url()) + stringBytes(s.lang()) + stringBytes(s.license())
                + stringBytes(s.externalId());
        for (Map.Entry<String, String> entry : s.metadata().entrySet()) {
            bytes += stringBytes(entry.getKey()) + stringBytes(entry.getValue());
        }
        return bytes;
    }

    private static long stringBytes(String s) {
        return s == null ? 1 : 5 + Unicode.utf8Length(s); // union index or length varint, then the bytes
    }

    private IngestResult reject(byte[] key, byte[] value, SourcePosition origin, RejectionReason reason,
            String message, String externalId, Throwable defect) {
        byte[] original = value == null ? EMPTY : value;
        int kept = Math.min(original.length, limits.maxOriginalBytes());
        DocumentRejected event = DocumentRejected.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(clock.instant())
                .setKey(rejectionKey(key, origin))
                .setReason(reason.code())
                .setMessage(Unicode.abbreviate(message, MAX_MESSAGE_CHARS))
                .setOriginal(ByteBuffer.wrap(original, 0, kept).slice())
                .setOriginalTruncated(kept < original.length)
                .setOriginalSize(original.length)
                .setOrigin(origin)
                .setExternalId(externalId != null && externalId.length() <= MAX_EXTERNAL_ID_IN_REJECTION
                        ? externalId
                        : null)
                .build();
        return new IngestResult.Rejected(event, reason, defect);
    }

    /**
     * The submission's key as UTF-8 when it has a usable one (1 to {@value #MAX_KEY_BYTES} bytes of valid UTF-8),
     * else {@code topic-partition-offset}, which is unique and finds the original record again.
     */
    static String rejectionKey(byte[] key, SourcePosition origin) {
        if (key != null && key.length > 0 && key.length <= MAX_KEY_BYTES) {
            try {
                CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(key));
                return decoded.toString();
            } catch (CharacterCodingException e) {
                // not text: fall through to the origin, which identifies the record as well
            }
        }
        return origin.getTopic() + "-" + origin.getPartition() + "-" + origin.getOffset();
    }
}
