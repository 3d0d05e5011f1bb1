package io.mmedstream.eval.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.mmedstream.eval.messaging.CheckpointConsumer.RetryPolicy;
import io.mmedstream.triton.client.TritonException;

class CheckpointConsumerRetryTest {

    @Test
    void theBackoffDoublesPerFailureInARowUpToTheMaximum() {
        RetryPolicy retry = new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), 3);

        assertThat(retry.delay(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(retry.delay(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(retry.delay(4)).isEqualTo(Duration.ofSeconds(40));
        assertThat(retry.delay(7)).isEqualTo(Duration.ofMinutes(5)); // 320 s capped
        assertThat(retry.delay(10_000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void impossiblePoliciesAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1), 3))
                .hasMessageContaining("backoff <= max backoff");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(5), 0))
                .hasMessageContaining("at least one attempt");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(5), 3))
                .hasMessageContaining("0 < backoff").hasMessageContaining("retry-backoff");
    }

    @Test
    void anUnreachableOrBusyBackendIsNotTheCheckpointsFault() {
        for (Status.Code code : new Status.Code[] {Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED,
                Status.Code.CANCELLED, Status.Code.ABORTED}) {
            assertThat(CheckpointConsumer.backendDown(new TritonException(code, "x", null))).as(code.name()).isTrue();
        }
        assertThat(CheckpointConsumer.backendDown(new IllegalStateException("wrapped",
                new TritonException(Status.Code.UNAVAILABLE, "connection refused", null)))).isTrue();
        assertThat(CheckpointConsumer.backendDown(new UncheckedIOException(new java.io.IOException("disk full"))))
                .isTrue();
        assertThat(CheckpointConsumer.backendDown(new org.apache.kafka.common.errors.TimeoutException("broker")))
                .isTrue();
    }

    @Test
    void aRefusedLoadOrAFailedGenerationCountsAgainstTheCheckpoint() {
        // a load that always outlasts its deadline would otherwise block every later checkpoint
        for (Status.Code code : new Status.Code[] {Status.Code.INVALID_ARGUMENT, Status.Code.INTERNAL,
                Status.Code.NOT_FOUND, Status.Code.UNKNOWN, Status.Code.DEADLINE_EXCEEDED}) {
            assertThat(CheckpointConsumer.backendDown(new TritonException(code, "x", null))).as(code.name()).isFalse();
        }
        assertThat(CheckpointConsumer.backendDown(new IllegalStateException("a bug"))).isFalse();
        // a corrupt model.json never heals by waiting
        assertThat(CheckpointConsumer.backendDown(new UncheckedIOException(
                new com.fasterxml.jackson.core.JsonParseException(null, "Unexpected character")))).isFalse();
        assertThat(CheckpointConsumer.backendDown(new org.apache.kafka.common.errors.RecordTooLargeException("big")))
                .isFalse();
    }
}
