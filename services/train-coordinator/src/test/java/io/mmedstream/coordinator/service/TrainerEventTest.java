package io.mmedstream.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The trainer's progress lines, as services/trainer prints them. */
class TrainerEventTest {

    @Test
    void readsEveryEventTheTrainerPrints() {
        assertThat(TrainerEvent.parse("{\"event\":\"start\",\"round_id\":\"round-000001\",\"step\":0,"
                + "\"total_steps\":12,\"resumed_from\":null,\"parameters\":12345,\"world_size\":1,\"device\":\"cpu\"}"))
                .contains(new TrainerEvent.Start(0, 12, null, 12345L, "cpu"));
        assertThat(TrainerEvent.parse("{\"event\":\"step\",\"step\":3,\"loss\":7.25,\"lr\":0.001,\"grad_norm\":null,"
                + "\"tokens_per_s\":812.5,\"tokens_seen\":768,\"elapsed_s\":1.5}"))
                .contains(new TrainerEvent.Step(3, 7.25, 0.001, 812.5, 768));
        assertThat(TrainerEvent.parse("{\"event\":\"checkpoint\",\"step\":4,\"path\":\"/o/checkpoint-00000004\","
                + "\"tokens_seen\":1024,\"tokens_per_lang\":{\"en\":1000,\"fr\":24}}"))
                .contains(new TrainerEvent.Checkpoint(4, "/o/checkpoint-00000004", 1024,
                        Map.of("en", 1000L, "fr", 24L)));
        assertThat(TrainerEvent.parse("{\"event\":\"done\",\"step\":4,\"checkpoint\":\"/o/checkpoint-00000004\","
                + "\"first_loss\":11.4,\"final_loss\":6.0,\"tokens_seen\":1024,\"tokens_per_lang\":{\"en\":1024},"
                + "\"elapsed_s\":9.1}"))
                .contains(new TrainerEvent.Done(4, "/o/checkpoint-00000004", 11.4, 6.0, 1024, Map.of("en", 1024L)));
        assertThat(TrainerEvent.parse("{\"event\":\"error\",\"reason\":\"bad_data\",\"retriable\":false,"
                + "\"exit_code\":65,\"message\":\"shard x: missing\",\"rank\":0}"))
                .contains(new TrainerEvent.Error("bad_data", false, 65, "shard x: missing"));
    }

    @Test
    void linesThatAreNotProgressEventsAreIgnored() {
        assertThat(TrainerEvent.parse("warning: something")).isEmpty();
        assertThat(TrainerEvent.parse("{not json")).isEmpty();
        assertThat(TrainerEvent.parse("{\"event\":\"unknown\"}")).isEmpty();
        assertThat(TrainerEvent.parse("{\"event\":\"step\",\"step\":1,\"loss\":null}")).isEmpty();
        assertThat(TrainerEvent.parse("[1,2]")).isEmpty();
        assertThat(TrainerEvent.parse(null)).isEmpty();
    }

    @Test
    void exitCodesTellRetriableFromPermanent() {
        assertThat(AttemptOutcome.ExitCodes.retriable(75)).isTrue();
        assertThat(AttemptOutcome.ExitCodes.retriable(137)).isTrue();
        assertThat(AttemptOutcome.ExitCodes.retriable(1)).isTrue();
        assertThat(AttemptOutcome.ExitCodes.retriable(65)).isFalse();
        assertThat(AttemptOutcome.ExitCodes.retriable(64)).isFalse();
        assertThat(AttemptOutcome.ExitCodes.retriable(70)).isFalse();
    }
}
