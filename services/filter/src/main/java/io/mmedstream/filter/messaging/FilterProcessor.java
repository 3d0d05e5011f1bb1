package io.mmedstream.filter.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.mmedstream.filter.dedup.Deduplicator;
import io.mmedstream.filter.messaging.DocumentRouter.Kind;
import io.mmedstream.filter.messaging.DocumentRouter.Routed;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;

/**
 * Consumes {@code DocumentIngested} from mmed.docs.ingested.v1 in batches and writes, for each record, one
 * {@code DocumentAccepted} (mmed.docs.accepted.v1), {@code DocumentDropped} (mmed.docs.dropped.v1) or dead letter
 * (the configured dead-letter topic), keyed by doc_id. Exactly once: a batch's outputs and its consumed offsets
 * commit in one Kafka transaction; when the transaction aborts, the consumer rewinds to the last committed offsets
 * and the batch is decided again.
 *
 * <p>The decisions are computed before the transaction opens, on a worker thread ({@code @Blocking}: language
 * identification is CPU-bound), so the transaction only sends ready records.
 *
 * <p>Deduplication: before a batch is decided, the {@link Deduplicator} brings its state in line with the dedup
 * state topics for the batch's partitions; a unique accepted document's state entries are written to those topics in
 * the batch's transaction, and join the in-memory indexes only once it committed (an aborted batch is decided again
 * against the same state).
 */
@ApplicationScoped
public class FilterProcessor {

    // The emitter buffers every record of a batch until the producer takes them: the buffer must hold at least
    // 3 x mp.messaging.incoming.documents-in.max.poll.records (500): an accepted document writes its
    // DocumentAccepted and two dedup state entries.
    @Inject
    @Channel(FilterChannels.DECISIONS)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 2048)
    KafkaTransactions<byte[]> transactions;

    @Inject
    DocumentRouter engineRouter;

    @Inject
    Deduplicator deduplicator;

    /** The engine's router with the deduplication step. */
    DocumentRouter router;

    @Inject
    FilterMetrics metrics;

    @Inject
    io.mmedstream.filter.config.FilterConfig config;

    /** Aborted transactions in a row (the backoff); reset by a commit. */
    private final java.util.concurrent.atomic.AtomicInteger abortsInARow = new java.util.concurrent.atomic.AtomicInteger();

    @PostConstruct
    void init() {
        router = engineRouter.withDeduplicator(deduplicator);
    }

    @Incoming(FilterChannels.DOCUMENTS)
    @Blocking
    public Uni<Void> filter(KafkaRecordBatch<String, byte[]> batch) {
        List<Routed> outcomes;
        try {
            deduplicator.beginBatch(generation(batch), partitions(batch));
            outcomes = decide(batch);
        } catch (RuntimeException e) {
            // Not a record's fault (DocumentRouter dead-letters those): abort, so that the consumer rewinds to the
            // last committed offsets and the batch is read again, rather than acking records that were never written.
            Log.errorf(e, "Cannot decide a batch of %d records; it will be read again", batch.getRecords().size());
            return commit(batch, List.of(), e);
        }
        return commit(batch, outcomes, null);
    }

    private static int generation(KafkaRecordBatch<String, byte[]> batch) {
        return batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(IncomingKafkaRecordBatchMetadata::getConsumerGroupGenerationId)
                .orElseThrow(() -> new IllegalStateException("a consumed batch without its Kafka metadata"));
    }

    private static Set<Integer> partitions(KafkaRecordBatch<String, byte[]> batch) {
        Set<Integer> partitions = new TreeSet<>();
        for (KafkaRecord<String, byte[]> record : batch) {
            partitions.add(record.getPartition());
        }
        return partitions;
    }

    private List<Routed> decide(KafkaRecordBatch<String, byte[]> batch) {
        List<Routed> outcomes = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<String, byte[]> record : batch) {
            long start = System.nanoTime();
            IncomingKafkaRecordMetadata<?, ?> position = record.getMetadata(IncomingKafkaRecordMetadata.class)
                    .orElseThrow(() -> new IllegalStateException("a consumed record without its Kafka metadata"));
            DocumentRouter.Incoming in = new DocumentRouter.Incoming(record.getTopic(), record.getPartition(),
                    position.getOffset(), record.getKey(), record.getPayload(), record.getHeaders());
            Routed routed = router.route(in);
            metrics.decided(System.nanoTime() - start);
            log(in, routed);
            outcomes.add(routed);
        }
        return outcomes;
    }

    /**
     * Writes the outcomes and commits them with the batch's offsets (withTransactionAndAck, plus counting only what
     * committed); with a failure instead, aborts.
     */
    private Uni<Void> commit(KafkaRecordBatch<String, byte[]> batch, List<Routed> outcomes, Throwable failure) {
        return transactions.withTransaction(batch, emitter -> {
            if (failure != null) {
                return Uni.createFrom().failure(failure);
            }
            for (Routed routed : outcomes) {
                emitter.send(toMessage(routed));
                for (DocumentRouter.StateRecord state : routed.state()) {
                    emitter.send(toMessage(state));
                }
            }
            return Uni.createFrom().voidItem();
        }).onItem().transformToUni(committed -> {
            deduplicator.commit();
            metrics.committed(outcomes);
            abortsInARow.set(0);
            return Uni.createFrom().completionStage(batch.ack());
        }).onFailure().recoverWithUni(e -> {
            deduplicator.abort();
            metrics.aborted();
            java.time.Duration wait = backoff(abortsInARow.incrementAndGet(), config.retry().backoff(),
                    config.retry().maxBackoff());
            Log.warnf(e, "Transaction for a batch of %d records aborted; re-reading from the last committed offsets"
                    + " in %s", batch.getRecords().size(), wait);
            // Waiting before the nack keeps a failure that repeats at once (a fenced producer, a broker refusing
            // the transaction) from re-deciding the batch in a tight loop.
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .onItem().transformToUni(x -> Uni.createFrom().completionStage(batch.nack(e)));
        });
    }

    /** {@code base} doubled for each abort after the first, at most {@code max}. */
    static java.time.Duration backoff(int aborts, java.time.Duration base, java.time.Duration max) {
        java.time.Duration d = base;
        for (int i = 1; i < aborts && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    private static Message<byte[]> toMessage(Routed routed) {
        return Message.of(routed.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(routed.topic())
                .withKey(routed.key())
                .withHeaders(routed.headers())
                .build());
    }

    private static Message<byte[]> toMessage(DocumentRouter.StateRecord state) {
        return Message.of(state.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(state.topic())
                .withPartition(state.partition())
                .withKey(state.key())
                .build());
    }

    private static void log(DocumentRouter.Incoming in, Routed routed) {
        if (routed.kind() == Kind.DEAD_LETTER) {
            Log.warnf("Dead-lettering %s (key %s) to %s: %s: %s", in.position(), in.key(), routed.topic(),
                    routed.failure().reason().code(), routed.failure().getMessage());
        } else if (routed.dedup() != null && routed.dedup().duplicate() && Log.isDebugEnabled()) {
            Log.debugf("%s doc %s: dropped %s of %s %s", in.position(), routed.docId(), routed.dedup().reason(),
                    routed.dedup().duplicateOf(), routed.dedup());
        } else if (Log.isDebugEnabled()) {
            Log.debugf("%s doc %s: %s lang=%s reasons=%s scores=%s", in.position(), routed.docId(),
                    routed.kind() == Kind.ACCEPTED ? "accepted" : "dropped", routed.verdict().lang(),
                    routed.verdict().reasons(), routed.verdict().scores());
        }
    }
}
