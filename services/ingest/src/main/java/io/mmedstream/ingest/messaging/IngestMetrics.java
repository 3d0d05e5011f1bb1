package io.mmedstream.ingest.messaging;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mmedstream.ingest.domain.IngestResult;
import io.mmedstream.ingest.domain.RejectionReason;
import io.mmedstream.proto.Topics;

/**
 * The service's meters, named as every MMedStream service names them: {@code mmed.records.in{service}},
 * {@code mmed.records.out{service,topic}}, {@code mmed.records.rejected{reason}} and the timer
 * {@code mmed.processing.latency{service}}. Records are counted when their transaction commits, so a batch that is
 * aborted and consumed again is counted once.
 */
@ApplicationScoped
public class IngestMetrics {

    static final String SERVICE = "ingest";

    private final Counter in;
    private final Counter outIngested;
    private final Counter outRejected;
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);
    private final Timer latency;

    public IngestMetrics(MeterRegistry registry) {
        in = Counter.builder("mmed.records.in").description("Submissions consumed (committed)")
                .tag("service", SERVICE).register(registry);
        outIngested = out(registry, Topics.DOCS_INGESTED);
        outRejected = out(registry, Topics.DOCS_REJECTED);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, Counter.builder("mmed.records.rejected")
                    .description("Submissions rejected, by reason (committed)")
                    .tag("reason", reason.code()).register(registry));
        }
        latency = Timer.builder("mmed.processing.latency")
                .description("Time to validate, normalise and build the event of one submission")
                .tag("service", SERVICE).register(registry);
    }

    private static Counter out(MeterRegistry registry, String topic) {
        return Counter.builder("mmed.records.out").description("Events written (committed)")
                .tag("service", SERVICE).tag("topic", topic).register(registry);
    }

    Timer latency() {
        return latency;
    }

    /** Counts the results of a committed batch. */
    void committed(int consumed, List<IngestResult> results) {
        in.increment(consumed);
        for (IngestResult result : results) {
            if (result instanceof IngestResult.Rejected r) {
                outRejected.increment();
                rejected.get(r.reason()).increment();
            } else {
                outIngested.increment();
            }
        }
    }
}
