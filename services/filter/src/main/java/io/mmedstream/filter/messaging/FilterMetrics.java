package io.mmedstream.filter.messaging;

import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The filter's metrics, in the names every MMedStream service shares. Outcomes are counted when their transaction
 * commits, so an aborted and re-read batch is not counted twice.
 * <ul>
 * <li>{@code mmed.records.in{service}}: records consumed and committed;</li>
 * <li>{@code mmed.records.out{service,topic}}: records written;</li>
 * <li>{@code mmed.records.accepted{lang}}: documents kept, per language;</li>
 * <li>{@code mmed.records.dropped{reason,lang}}: documents dropped, per deciding reason (the engine's, or
 * duplicate_exact / duplicate_near) and language ({@code none} when no language was detected);</li>
 * <li>{@code mmed.records.rejected{service,reason}}: records sent to the dead-letter topic;</li>
 * <li>{@code mmed.processing.latency{service}}: time to decide on one record;</li>
 * <li>{@code mmed.transactions{service,outcome}}: batch transactions committed or aborted.</li>
 * </ul>
 */
@ApplicationScoped
public class FilterMetrics {

    static final String SERVICE = "filter";
    static final String NO_LANGUAGE = "none";

    private final MeterRegistry registry;
    private final Timer latency;

    @Inject
    public FilterMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("mmed.processing.latency").tag("service", SERVICE)
                .description("Time the filter takes to decide on one record").register(registry);
    }

    /** Records the time taken to decide on one record. */
    public void decided(long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts the outcomes of a committed batch. */
    public void committed(List<DocumentRouter.Routed> outcomes) {
        registry.counter("mmed.records.in", "service", SERVICE).increment(outcomes.size());
        registry.counter("mmed.transactions", "service", SERVICE, "outcome", "committed").increment();
        for (DocumentRouter.Routed routed : outcomes) {
            registry.counter("mmed.records.out", "service", SERVICE, "topic", routed.topic()).increment();
            for (DocumentRouter.StateRecord state : routed.state()) {
                registry.counter("mmed.records.out", "service", SERVICE, "topic", state.topic()).increment();
            }
            switch (routed.kind()) {
                case ACCEPTED -> registry.counter("mmed.records.accepted", "lang", routed.lang()).increment();
                case DROPPED -> registry.counter("mmed.records.dropped", "reason", routed.dropReason(),
                        "lang", routed.lang() == null ? NO_LANGUAGE : routed.lang()).increment();
                case DEAD_LETTER -> registry.counter("mmed.records.rejected", "service", SERVICE,
                        "reason", routed.failure().reason().code()).increment();
            }
        }
    }

    /** Counts an aborted batch transaction (its records will be read again). */
    public void aborted() {
        registry.counter("mmed.transactions", "service", SERVICE, "outcome", "aborted").increment();
    }
}
