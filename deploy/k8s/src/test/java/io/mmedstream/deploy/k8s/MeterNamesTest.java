package io.mmedstream.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * MeterNames: the Prometheus series that PrometheusRules are checked against come from the services' sources, named
 * as Micrometer's Prometheus registry names them.
 */
class MeterNamesTest {

    private static final Path SOURCE = Path.of("Metrics.java");

    private static Set<String> series(String java) {
        return MeterNames.parse(java, SOURCE).stream().flatMap(m -> m.series().stream())
                .collect(Collectors.toSet());
    }

    @Test
    void eachKindOfMeterGetsItsPrometheusSuffixes() {
        String java = """
                Counter.builder("mmed.records.in").tag("service", SERVICE).register(registry);
                registry.counter("mmed.records.rejected", "reason", reason).increment();
                sample.stop(metrics.timer("mmed.processing.latency", "service", "eval"));
                Timer.builder("mmed.shards.commit.latency").publishPercentileHistogram().register(registry);
                Gauge.builder("mmed.pool.tokens", poolTokens, AtomicLong::get).register(registry);
                registry.gauge("mmed.tokenize.open.tokens", openTokens);
                DistributionSummary.builder("mmed.record.size").baseUnit("bytes").register(registry);
                rejected.computeIfAbsent(r, x -> Counter
                        .builder("mmed.tokens").tag("lang", x).register(registry)).increment();
                """;

        assertThat(series(java)).containsExactlyInAnyOrder(
                "mmed_records_in_total",
                "mmed_records_rejected_total",
                "mmed_processing_latency_seconds_count", "mmed_processing_latency_seconds_sum",
                "mmed_processing_latency_seconds_max",
                "mmed_shards_commit_latency_seconds_count", "mmed_shards_commit_latency_seconds_sum",
                "mmed_shards_commit_latency_seconds_max", "mmed_shards_commit_latency_seconds_bucket",
                "mmed_pool_tokens",
                "mmed_tokenize_open_tokens",
                "mmed_record_size_bytes_count", "mmed_record_size_bytes_sum", "mmed_record_size_bytes_max",
                "mmed_tokens_total");
    }

    @Test
    void configurationKeysAndMessagesAreNoMeters() {
        assertThat(series("""
                throw new IllegalStateException("mmed.inference.auth.admin-clients names '" + unknown);
                /** {@code mmed.records.in{service}} counts records. */
                config.value("mmed.tokenize.tokenizer.name");
                """)).isEmpty();
    }

    @Test
    void theServicesRegisterWhatTheAlertsUse() {
        Path services = Project.ROOT.resolve("services");

        assertThat(MeterNames.series(services.resolve("eval"))).contains("mmed_records_rejected_total",
                "mmed_eval_failures_total", "mmed_processing_latency_seconds_count");
        assertThat(MeterNames.series(services.resolve("train-coordinator"))).contains("mmed_rounds_ended_total",
                "mmed_pool_tokens", "mmed_train_tokens_per_second", "mmed_train_loss");
        assertThat(MeterNames.series(services.resolve("inference"))).contains("mmed_inference_requests_total",
                "mmed_inference_promotions_total");
        assertThat(MeterNames.series(services.resolve("ingest"))).contains("mmed_records_in_total",
                "mmed_records_rejected_total").doesNotContain("mmed_processing_latency_seconds_bucket");
    }
}
