package io.mmedstream.ingest.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.mmedstream.ingest.config.IngestConfig;
import io.mmedstream.ingest.domain.IngestResult;
import io.mmedstream.ingest.domain.RejectionReason;
import io.mmedstream.ingest.service.SubmissionProcessor;
import io.mmedstream.proto.SourcePosition;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;

/**
 * Consumes batches of submissions from {@code mmed.docs.submitted.v1} (channel {@value #SUBMISSIONS}) and writes one
 * {@code DocumentIngested} to {@code mmed.docs.ingested.v1} or one {@code DocumentRejected} to
 * {@code mmed.docs.rejected.v1} per submission (channel {@value #EVENTS}), exactly once.
 *
 * <p>Each batch is one Kafka transaction: its events and the consumed offsets commit together
 * ({@link KafkaTransactions#withTransaction(Message, java.util.function.Function)} sends the batch's offsets to the
 * transaction before committing). If anything fails (broker unreachable, producer fenced, rebalance) the transaction
 * aborts, the consumer is rewound to the last committed offsets and the batch is consumed again after
 * {@code mmed.ingest.retry.backoff}; readers with {@code read_committed} never see the aborted events. A bad
 * submission is not a failure: the processor turns it into a rejection, so it cannot stop the stream.
 */
@ApplicationScoped
public class SubmissionConsumer {

    /** Incoming channel: raw submissions. */
    public static final String SUBMISSIONS = "submissions";
    /** Outgoing transactional channel: ingested and rejected events (topic chosen per record). */
    public static final String EVENTS = "ingest-events";

    /** Dead-letter headers, named as SmallRye's dead-letter-queue strategy names them so Kafka tools know them. */
    static final String HEADER_REASON = "dead-letter-reason";
    static final String HEADER_TOPIC = "dead-letter-topic";
    static final String HEADER_PARTITION = "dead-letter-partition";
    static final String HEADER_OFFSET = "dead-letter-offset";

    /**
     * Holds every event of one batch: the transaction sends them all before it waits for any acknowledgement, so
     * this must be at least the consumer's {@code max.poll.records} (500).
     */
    private static final int EMITTER_BUFFER = 1024;

    @Inject
    @Channel(EVENTS)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = EMITTER_BUFFER)
    KafkaTransactions<SpecificRecord> events;

    @Inject
    SubmissionProcessor processor;

    @Inject
    IngestMetrics metrics;

    @Inject
    IngestConfig config;

    /**
     * Processes one batch in one transaction. {@code @Blocking}: normalising and hashing up to 20 MiB of text is CPU
     * work that must not hold the Kafka client's event loop. Batches are still handled one at a time, in order.
     *
     * <p>{@code withTransaction} plus explicit ack/nack is what {@code withTransactionAndAck} does; it is spelled out
     * here to count and log the results only once their transaction has committed.
     */
    @Incoming(SUBMISSIONS)
    @Blocking
    public Uni<Void> consume(KafkaRecordBatch<byte[], byte[]> batch) {
        ConsumerRecords<byte[], byte[]> records = records(batch);
        List<IngestResult> results = new ArrayList<>(records.count());
        return events.withTransaction(batch, emitter -> {
            results.clear();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                IngestResult result = process(record);
                results.add(result);
                emitter.send(toMessage(result));
            }
            return Uni.createFrom().voidItem();
        })
                .onItem().invoke(() -> committed(records.count(), results))
                .onItem().transformToUni(ignored -> Uni.createFrom().completionStage(batch.ack()))
                .onFailure().recoverWithUni(failure -> aborted(batch, records, failure));
    }

    private static ConsumerRecords<byte[], byte[]> records(KafkaRecordBatch<byte[], byte[]> batch) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordBatchMetadata<byte[], byte[]> metadata = batch
                .getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .orElseThrow(() -> new IllegalStateException("a Kafka batch without batch metadata"));
        return metadata.getRecords();
    }

    private IngestResult process(ConsumerRecord<byte[], byte[]> record) {
        SourcePosition origin = new SourcePosition(record.topic(), record.partition(), record.offset());
        long start = System.nanoTime();
        IngestResult result = processor.process(record.key(), record.value(), origin,
                Instant.ofEpochMilli(record.timestamp()));
        metrics.latency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return result;
    }

    private static Message<SpecificRecord> toMessage(IngestResult result) {
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<String> metadata = OutgoingKafkaRecordMetadata
                .<String> builder()
                .withTopic(result.topic())
                .withKey(result.key());
        if (result instanceof IngestResult.Rejected rejected) {
            SourcePosition origin = rejected.origin();
            RecordHeaders headers = new RecordHeaders();
            headers.add(header(HEADER_REASON, rejected.reason().code()));
            headers.add(header(HEADER_TOPIC, origin.getTopic()));
            headers.add(header(HEADER_PARTITION, String.valueOf(origin.getPartition())));
            headers.add(header(HEADER_OFFSET, String.valueOf(origin.getOffset())));
            metadata.withHeaders(headers);
        }
        return Message.<SpecificRecord> of(result.event()).addMetadata(metadata.build());
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private void committed(int consumed, List<IngestResult> results) {
        metrics.committed(consumed, results);
        int rejectedCount = 0;
        for (IngestResult result : results) {
            SourcePosition at = result.origin();
            if (result instanceof IngestResult.Rejected rejected) {
                rejectedCount++;
                if (rejected.reason() == RejectionReason.INTERNAL_ERROR) {
                    Log.errorf(rejected.defect(), "%s-%d@%d rejected as %s (a defect of ingest), key %s: %s",
                            at.getTopic(), at.getPartition(), at.getOffset(), rejected.reason().code(),
                            rejected.key(), rejected.event().getMessage());
                } else {
                    Log.warnf("%s-%d@%d rejected as %s, key %s: %s", at.getTopic(), at.getPartition(),
                            at.getOffset(), rejected.reason().code(), rejected.key(), rejected.event().getMessage());
                }
            } else {
                Log.debugf("%s-%d@%d ingested as %s", at.getTopic(), at.getPartition(), at.getOffset(), result.key());
            }
        }
        Log.debugf("committed a batch of %d submissions: %d ingested, %d rejected", consumed,
                consumed - rejectedCount, rejectedCount);
    }

    private Uni<Void> aborted(KafkaRecordBatch<byte[], byte[]> batch, ConsumerRecords<byte[], byte[]> records,
            Throwable failure) {
        Log.warnf(failure, "transaction for a batch of %d submissions (%s) aborted; the consumer is rewound to the"
                + " last committed offsets and the batch will be consumed again in %s", records.count(),
                describe(records), config.retry().backoff());
        return Uni.createFrom().completionStage(batch.nack(failure))
                .onItem().delayIt().by(config.retry().backoff())
                .replaceWithVoid();
    }

    private static String describe(ConsumerRecords<byte[], byte[]> records) {
        StringBuilder out = new StringBuilder();
        records.partitions().forEach(tp -> {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            if (!list.isEmpty()) {
                out.append(out.length() == 0 ? "" : ", ").append(tp.topic()).append('-').append(tp.partition())
                        .append('@').append(list.get(0).offset()).append("..")
                        .append(list.get(list.size() - 1).offset());
            }
        });
        return out.toString();
    }
}
