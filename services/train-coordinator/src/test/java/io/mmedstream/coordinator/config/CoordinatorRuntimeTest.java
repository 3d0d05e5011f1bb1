package io.mmedstream.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mmedstream.coordinator.messaging.CoordinatorLoop;
import io.mmedstream.coordinator.service.RoundBook;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** What the start-up builds from the configuration, read through the real mapping ({@link CoordinatorConfig}). */
class CoordinatorRuntimeTest {

    private static final List<String> BACKOFFS = List.of("kafka.retry-backoff", "kafka.max-retry-backoff",
            "rounds.retry-backoff", "rounds.max-retry-backoff", "rounds.dispatch-retry-backoff",
            "rounds.max-dispatch-retry-backoff");

    /** The configuration with the defaults, and {@code values} (keys below mmed.coordinator) on top. */
    private static CoordinatorConfig config(Map<String, String> values) {
        Map<String, String> properties = new HashMap<>();
        properties.put("quarkus.application.name", "train-coordinator");
        values.forEach((k, v) -> properties.put("mmed.coordinator." + k, v));
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(CoordinatorConfig.class).build();
        return config.getConfigMapping(CoordinatorConfig.class);
    }

    /** Builds what the start-up builds from the backoffs. */
    private static void start(CoordinatorConfig config) {
        CoordinatorRuntime.loopSettings(Map.of(), config.kafka(), config.rounds());
        CoordinatorRuntime.attemptRetry(config.rounds());
    }

    @Test
    void theDefaultBackoffsAreTaken() {
        CoordinatorConfig config = config(Map.of());
        CoordinatorLoop.Settings settings = CoordinatorRuntime.loopSettings(Map.of(), config.kafka(),
                config.rounds());
        assertThat(settings.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.maxRetryBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.dispatchRetryBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.maxDispatchRetryBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.transactionalId()).isEqualTo("train-coordinator");
        assertThat(CoordinatorRuntime.attemptRetry(config.rounds()))
                .isEqualTo(new RoundBook.Retry(Duration.ofSeconds(10), Duration.ofMinutes(10)));
    }

    @Test
    void aBackoffThatCannotGrowIsRefusedAtStartUpWithItsKey() {
        for (String key : BACKOFFS) {
            String env = "MMED_COORDINATOR_" + key.toUpperCase().replace('.', '_').replace('-', '_');
            for (String value : List.of("0s", "0", "-5s")) {
                CoordinatorConfig config = config(Map.of(key, value));
                assertThatThrownBy(() -> start(config)).as("%s=%s", key, value)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("mmed.coordinator." + key + " (" + env + ") must be positive, not ")
                        .hasMessageContaining("never grows");
            }
            start(config(Map.of(key, "1ms"))); // the least pause there is will do
        }
    }
}
