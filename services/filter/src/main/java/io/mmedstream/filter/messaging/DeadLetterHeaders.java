package io.mmedstream.filter.messaging;

/**
 * Headers the filter adds to a dead-letter record. The names follow SmallRye Reactive Messaging's dead-letter-queue
 * strategy, so tools written for it read ours too; the record keeps the original key, value and headers.
 */
public final class DeadLetterHeaders {

    /** Machine-readable reason code ({@code FilterException.Reason#code()}), e.g. {@code invalid_avro}. */
    public static final String REASON = "dead-letter-reason";
    /** Human-readable explanation (the cause's message). */
    public static final String CAUSE = "dead-letter-cause";
    /** Class of the exception behind it, when there is one. */
    public static final String CAUSE_CLASS = "dead-letter-cause-class-name";
    /** Topic the record was consumed from. */
    public static final String TOPIC = "dead-letter-topic";
    /** Partition it was consumed from (decimal string). */
    public static final String PARTITION = "dead-letter-partition";
    /** Its offset there (decimal string). */
    public static final String OFFSET = "dead-letter-offset";
    /** The service that gave up on it: {@code filter}. */
    public static final String SERVICE = "dead-letter-service";
    /** Present ("true") when the value holds only a prefix of the original, which was too large to forward. */
    public static final String ORIGINAL_TRUNCATED = "dead-letter-original-truncated";
    /** Size in bytes of the original value (decimal string); -1 when the record had no value. */
    public static final String ORIGINAL_SIZE = "dead-letter-original-size";

    private DeadLetterHeaders() {
    }
}
