package io.mmedstream.local.rounds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mmedstream.local.cli.CommandException;

/** The demo's way to a trained round, against an HTTP server speaking the coordinator's admin API. */
class RoundDriverTest {

    private final FakeCoordinator coordinator;
    private final List<String> progress = new ArrayList<>();
    private final RoundDriver driver;

    RoundDriverTest() throws IOException {
        coordinator = new FakeCoordinator();
        driver = new RoundDriver(new CoordinatorClient(coordinator.uri()), Duration.ofMillis(20),
                Duration.ofSeconds(1), progress::add);
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    @Test
    void aRoundIsPlannedOnceEveryShardIsPooledAndFollowedUntilItSucceeds() {
        coordinator.waiting.add("older-shard");
        coordinator.announced.put("shard-a", 2);
        coordinator.announced.put("shard-b", 4);

        RoundDriver.Start start = driver.start(List.of("shard-a", "shard-b"), Duration.ofSeconds(10));

        assertThat(start.ours()).isTrue();
        assertThat(start.round().shardIds()).containsExactly("older-shard", "shard-a", "shard-b");
        assertThat(coordinator.triggers).hasValue(1);
        assertThat(progress).anyMatch(l -> l.startsWith("planned round-000001: 60 steps over 3 shards"));

        List<RoundInfo> seen = new ArrayList<>();
        RoundInfo done = driver.follow(start.round().roundId(), seen::add);

        assertThat(seen).extracting(RoundInfo::step).containsExactly(20, 40, 60);
        assertThat(seen).extracting(RoundInfo::state).containsExactly("RUNNING", "RUNNING", "SUCCEEDED");
        assertThat(done.succeeded()).isTrue();
        assertThat(done.lossFell()).contains(true);
        assertThat(done.checkpointPath()).map(Object::toString)
                .contains("/state/checkpoints/round-000001/checkpoint-00000060");
    }

    @Test
    void aRoundThatAlreadyHasTheShardsIsFollowedInsteadOfPlanningAnother() {
        coordinator.addRound("SUCCEEDED", 60, "other-shard");
        coordinator.addRound("RUNNING", 20, "shard-a", "shard-b");

        RoundDriver.Start start = driver.start(List.of("shard-b"), Duration.ofSeconds(10));

        assertThat(start.ours()).isTrue();
        assertThat(start.round().roundId()).isEqualTo("round-000002");
        assertThat(coordinator.triggers).hasValue(0);
    }

    @Test
    void theShardsOfACancelledRoundGetANewRound() {
        coordinator.addRound("CANCELLED", 20, "shard-a");
        coordinator.waiting.add("shard-a");

        RoundDriver.Start start = driver.start(List.of("shard-a"), Duration.ofSeconds(10));

        assertThat(start.ours()).isTrue();
        assertThat(start.round().roundId()).isEqualTo("round-000002");
        assertThat(coordinator.triggers).hasValue(1);
    }

    @Test
    void aLiveRoundOfOtherShardsIsReportedToEndFirst() {
        coordinator.addRound("RUNNING", 20, "other-shard");
        coordinator.waiting.add("shard-a");

        RoundDriver.Start first = driver.start(List.of("shard-a"), Duration.ofSeconds(10));

        assertThat(first.ours()).isFalse();
        assertThat(first.round().roundId()).isEqualTo("round-000001");
        assertThat(coordinator.triggers).hasValue(0);

        driver.follow(first.round().roundId(), r -> { });
        RoundDriver.Start second = driver.start(List.of("shard-a"), Duration.ofSeconds(10));
        assertThat(second.ours()).isTrue();
        assertThat(second.round().roundId()).isEqualTo("round-000002");
    }

    @Test
    void shardsKeptAsideAreReportedWithTheirReason() {
        coordinator.aside.put("shard-a", "tokenizer_mismatch");

        assertThatThrownBy(() -> driver.start(List.of("shard-a"), Duration.ofSeconds(10)))
                .isInstanceOf(CommandException.class).hasMessageContaining("aside")
                .hasMessageContaining("shard-a=tokenizer_mismatch");
        assertThat(coordinator.triggers).hasValue(0);
    }

    @Test
    void aRefusedRoundIsReportedWithTheCoordinatorsReasonAndItsPolicy() {
        coordinator.waiting.add("shard-a");
        coordinator.refusal = "no language of the 1 shards can be trained on: en (12 tokens < 4 windows)";

        assertThatThrownBy(() -> driver.start(List.of("shard-a"), Duration.ofSeconds(10)))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("409 nothing_to_train: no language of the 1 shards can be trained on")
                .hasMessageContaining("its policy: not due");
    }

    @Test
    void shardsTheCoordinatorNeverTakesUpAreNamedAfterTheTimeout() {
        coordinator.waiting.add("shard-a");

        assertThatThrownBy(() -> driver.start(List.of("shard-a", "shard-lost"), Duration.ofMillis(300)))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("has not taken up 1 of the 2 shards").hasMessageContaining("shard-lost");
        assertThat(coordinator.triggers).hasValue(0);
    }

    @Test
    void followingGivesUpWhenTheCoordinatorStopsAnswering() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        RoundDriver gone = new RoundDriver(new CoordinatorClient(URI.create("http://localhost:" + closed)),
                Duration.ofMillis(50), Duration.ofMillis(300), progress::add);

        assertThatThrownBy(() -> gone.follow("round-000001", r -> { })).isInstanceOf(CommandException.class)
                .hasMessageContaining("stopped answering while round-000001 ran")
                .hasMessageContaining("connection refused");
    }
}
