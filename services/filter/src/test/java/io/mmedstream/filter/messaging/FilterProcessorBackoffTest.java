package io.mmedstream.filter.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class FilterProcessorBackoffTest {

    @Test
    void theWaitBeforeReReadingAnAbortedBatchDoublesPerAbortInARowUpToTheMaximum() {
        Duration base = Duration.ofSeconds(1);
        Duration max = Duration.ofSeconds(30);

        assertThat(FilterProcessor.backoff(1, base, max)).isEqualTo(Duration.ofSeconds(1));
        assertThat(FilterProcessor.backoff(2, base, max)).isEqualTo(Duration.ofSeconds(2));
        assertThat(FilterProcessor.backoff(5, base, max)).isEqualTo(Duration.ofSeconds(16));
        assertThat(FilterProcessor.backoff(6, base, max)).isEqualTo(Duration.ofSeconds(30));
        assertThat(FilterProcessor.backoff(Integer.MAX_VALUE, base, max)).isEqualTo(Duration.ofSeconds(30));
    }
}
