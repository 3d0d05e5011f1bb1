package io.mmedstream.proto;

/**
 * Topic names of the pipeline. They are part of the wire contract: a breaking schema change gets a new version
 * suffix and a new topic, never a reused name.
 */
public final class Topics {

    /** External input: JSON (or Avro) submissions from any producer. */
    public static final String DOCS_SUBMITTED = "mmed.docs.submitted.v1";
    /** {@link DocumentIngested}, keyed by doc id. */
    public static final String DOCS_INGESTED = "mmed.docs.ingested.v1";
    /** {@link DocumentRejected}: the dead letters of ingest. */
    public static final String DOCS_REJECTED = "mmed.docs.rejected.v1";
    /** {@link DocumentAccepted}, keyed by doc id. */
    public static final String DOCS_ACCEPTED = "mmed.docs.accepted.v1";
    /** {@link DocumentDropped}, keyed by doc id. */
    public static final String DOCS_DROPPED = "mmed.docs.dropped.v1";
    /**
     * The filter's dead letters: ingested records it could not use (undecodable, contract violations), as the
     * original bytes with dead-letter-* headers naming the reason and the source topic/partition/offset.
     */
    public static final String DOCS_FILTER_DLQ = "mmed.docs.filter-dlq.v1";
    /**
     * The filter's exact-deduplication state: one record per accepted document, keyed by doc_id, in the partition
     * of {@link #DOCS_INGESTED} the document was read from (same partition count); compacted. Private to the filter,
     * written in the transaction that accepts the document; see services/filter/README.md.
     */
    public static final String FILTER_DEDUP_EXACT = "mmed.filter.dedup-exact.v1";
    /**
     * The filter's near-duplicate state: the MinHash signature of every accepted document, keyed by doc_id;
     * compacted, read in full by every filter instance. Private to the filter; see services/filter/README.md.
     */
    public static final String FILTER_DEDUP_MINHASH = "mmed.filter.dedup-minhash.v1";
    /** {@link ShardReady}, keyed by shard id. */
    public static final String SHARDS_READY = "mmed.shards.ready.v1";
    /**
     * {@link TrainingRoundChanged}, keyed by round id; compacted: it keeps each round's latest state, from which the
     * train-coordinator rebuilds itself.
     */
    public static final String TRAIN_ROUNDS = "mmed.train.rounds.v1";
    /**
     * The train-coordinator's leader election: one partition and no records. The coordinator instance that its
     * group ({@code <group-id>-leader}) assigns the partition to is the active one; the others stand by. Private to
     * the train-coordinator; see services/train-coordinator/README.md ("One coordinator").
     */
    public static final String TRAIN_LEADER = "mmed.train.leader.v1";
    /** {@link CheckpointReady}, keyed by checkpoint id. */
    public static final String CHECKPOINTS = "mmed.checkpoints.v1";
    /** {@link EvalCompleted}, keyed by checkpoint id: one MMedBench evaluation per checkpoint. */
    public static final String EVAL_RESULTS = "mmed.eval.results.v1";
    /** {@link ModelPromoted}, keyed by model name: the latest record per model is the one to serve. */
    public static final String MODELS_PROMOTED = "mmed.models.promoted.v1";

    /** Every topic of the pipeline, in pipeline order. */
    public static final java.util.List<String> ALL = java.util.List.of(
            DOCS_SUBMITTED, DOCS_INGESTED, DOCS_REJECTED, DOCS_ACCEPTED, DOCS_DROPPED, DOCS_FILTER_DLQ,
            FILTER_DEDUP_EXACT, FILTER_DEDUP_MINHASH, SHARDS_READY, TRAIN_ROUNDS, TRAIN_LEADER, CHECKPOINTS,
            EVAL_RESULTS, MODELS_PROMOTED);

    /**
     * Largest document text that passes end to end: 8 MiB of UTF-8. Broker, topic, producer and consumer limits are
     * all raised above it together ({@link #MAX_RECORD_BYTES}); ingest rejects larger submissions with too_large.
     */
    public static final int MAX_TEXT_BYTES = 8 * 1024 * 1024;

    /**
     * Record size limit set on the broker, every topic, every producer and every consumer fetch: the largest text plus
     * room for JSON escaping in a submission and for the other fields of an event.
     */
    public static final int MAX_RECORD_BYTES = 20 * 1024 * 1024;

    private Topics() {
    }
}
