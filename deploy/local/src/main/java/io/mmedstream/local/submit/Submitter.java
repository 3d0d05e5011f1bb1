package io.mmedstream.local.submit;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.stack.BrokerCheck;
import io.mmedstream.proto.Topics;

/**
 * Writes submissions to {@value Topics#DOCS_SUBMITTED}, each value exactly the bytes given, without a key (ingest
 * assigns the document id). The producer is idempotent with {@code acks=all}, so a retried batch is never written
 * twice, and takes records up to {@link Topics#MAX_RECORD_BYTES}. Every wait is bounded: an unreachable broker
 * ends in a {@link CommandException}, never a hang.
 */
public final class Submitter implements AutoCloseable {

    private final String bootstrap;
    private final KafkaProducer<byte[], byte[]> producer;
    private final LongAdder sent = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder acknowledgedBytes = new LongAdder();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private Submitter(String bootstrap, KafkaProducer<byte[], byte[]> producer) {
        this.bootstrap = bootstrap;
        this.producer = producer;
    }

    /**
     * Checks that the broker answers and has the submission topic, then opens a producer.
     *
     * @throws CommandException when the broker is unreachable or lacks the topic (see {@link BrokerCheck})
     */
    public static Submitter connect(String bootstrap) {
        BrokerCheck.require(bootstrap);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(BrokerCheck.security());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * Topics.MAX_RECORD_BYTES);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "mmed-submit");
        return new Submitter(bootstrap, new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /**
     * Sends one submission asynchronously.
     *
     * @throws CommandException when an earlier send has failed, or the producer could not take the record in time
     */
    public void send(byte[] value) {
        throwIfFailed();
        try {
            producer.send(new ProducerRecord<>(Topics.DOCS_SUBMITTED, null, value), (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else {
                    acknowledged.increment();
                    acknowledgedBytes.add(value.length);
                }
            });
            sent.increment();
        } catch (KafkaException e) {
            throw new CommandException("cannot write to Kafka at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until everything sent is acknowledged by the broker.
     *
     * @throws CommandException when some submission could not be written
     */
    public void finish() {
        try {
            producer.flush();
        } catch (KafkaException e) {
            failure.compareAndSet(null, e);
        }
        throwIfFailed();
    }

    /** Submissions handed to the producer. */
    public long sent() {
        return sent.sum();
    }

    /** Submissions the broker has acknowledged. */
    public long acknowledged() {
        return acknowledged.sum();
    }

    /** Value bytes of the acknowledged submissions. */
    public long acknowledgedBytes() {
        return acknowledgedBytes.sum();
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            long lost = sent() - acknowledged();
            throw new CommandException("writing to Kafka at " + bootstrap + " failed after " + acknowledged()
                    + " acknowledged submissions (" + lost + " not acknowledged): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
