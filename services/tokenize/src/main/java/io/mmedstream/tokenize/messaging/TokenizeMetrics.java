package io.mmedstream.tokenize.messaging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.mmedstream.proto.Topics;
import io.mmedstream.tokenize.domain.ShardManifest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's meters, by the pipeline's metric names: {@code mmed.records.in{service}},
 * {@code mmed.records.out{service,topic}}, {@code mmed.records.rejected{service,reason}}, {@code mmed.tokens{lang}}
 * (committed tokens, EOS included), {@code mmed.shards.written}, {@code mmed.processing.latency{service}} (decode and
 * tokenize one record), plus {@code mmed.shards.commit.latency} (write a shard and commit its transaction),
 * {@code mmed.tokenize.open.tokens} (tokens in open, uncommitted shards) and {@code mmed.tokenize.loop.restarts}.
 */
public final class TokenizeMetrics {

    static final String SERVICE = "tokenize";

    private final MeterRegistry registry;
    private final Counter recordsIn;
    private final Counter recordsOut;
    private final Counter shardsWritten;
    private final Counter restarts;
    private final Timer processing;
    private final Timer commit;
    private final AtomicLong openTokens = new AtomicLong();
    private final Map<String, Counter> tokensByLang = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();

    public TokenizeMetrics(MeterRegistry registry) {
        this.registry = registry;
        recordsIn = Counter.builder("mmed.records.in").description("Records consumed")
                .tag("service", SERVICE).register(registry);
        recordsOut = Counter.builder("mmed.records.out").description("Records produced (committed)")
                .tag("service", SERVICE).tag("topic", Topics.SHARDS_READY).register(registry);
        shardsWritten = Counter.builder("mmed.shards.written").description("Shards written and committed")
                .register(registry);
        restarts = Counter.builder("mmed.tokenize.loop.restarts")
                .description("Times the consumer loop reconnected after a failure").register(registry);
        processing = Timer.builder("mmed.processing.latency").description("Decode and tokenize one record")
                .tag("service", SERVICE).register(registry);
        commit = Timer.builder("mmed.shards.commit.latency")
                .description("Write one shard and commit its Kafka transaction").register(registry);
        registry.gauge("mmed.tokenize.open.tokens", openTokens);
    }

    void recordIn() {
        recordsIn.increment();
    }

    void rejected(String reason) {
        rejectedByReason.computeIfAbsent(reason, r -> Counter.builder("mmed.records.rejected")
                .description("Records that could not be processed, by reason")
                .tag("service", SERVICE).tag("reason", r).register(registry)).increment();
    }

    void processed(long nanos) {
        processing.record(nanos, TimeUnit.NANOSECONDS);
    }

    void shardCommitted(ShardManifest manifest, long nanos) {
        shardsWritten.increment();
        recordsOut.increment();
        commit.record(nanos, TimeUnit.NANOSECONDS);
        manifest.tokensPerLang().forEach((lang, tokens) -> tokensByLang.computeIfAbsent(lang, l -> Counter
                .builder("mmed.tokens").description("Tokens in committed shards, EOS included")
                .tag("lang", l).register(registry)).increment(tokens));
    }

    void openTokens(long tokens) {
        openTokens.set(tokens);
    }

    void restarted() {
        restarts.increment();
    }
}
