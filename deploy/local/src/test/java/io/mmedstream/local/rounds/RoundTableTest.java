package io.mmedstream.local.rounds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class RoundTableTest {

    /** A round as the coordinator's GET /rounds/{id} writes it (RoundView, snake_case, ISO instants). */
    private static final String SUCCEEDED_JSON = """
            {"round_id":"round-000002","state":"SUCCEEDED","trigger":"manual","attempt":1,"max_attempts":3,
             "step":80,"total_steps":80,"progress":1.0,"first_loss":11.4321,"loss":7.0512,"learning_rate":0.0,
             "tokens_per_second":801.5,"tokens_seen":20480,"token_count":61234,"shard_count":3,
             "tokens_per_lang":{"zh":10000,"en":30000,"fr":21234},"language_weights":{"en":0.5},
             "mixing":"weights","tokenizer_name":"internlm2","seq_len":128,"dispatcher":"local",
             "checkpoint_id":"round-000002-step-80",
             "checkpoint_uri":"file:///state/checkpoints/round-000002/checkpoint-00000080",
             "planned_at":"2026-11-26T23:00:00Z","dispatched_at":"2026-11-26T23:00:01.500Z",
             "started_at":"2026-11-26T23:00:09Z","finished_at":"2026-11-26T23:02:42.500Z",
             "shards":[{"shard_id":"internlm2-p000-o000000000000"},{"shard_id":"internlm2-p001-o000000000000"}]}
            """;

    private static RoundInfo parse(String json) throws Exception {
        return RoundInfo.of(new ObjectMapper().readTree(json));
    }

    private static RoundInfo round(String id, String state, int step, Double first, Double loss, String reason) {
        return new RoundInfo(id, state, "threshold", 1, 3, step, 80, first, loss, 640.0, step * 256L, 61234, 2,
                Map.of("en", 61234L), null, null, reason, reason == null ? null : "trainer exited 65", null, null, null,
                List.of());
    }

    @Test
    void theApisRoundIsReadWithItsLossesCheckpointAndShards() throws Exception {
        RoundInfo r = parse(SUCCEEDED_JSON);

        assertThat(r.roundId()).isEqualTo("round-000002");
        assertThat(r.succeeded()).isTrue();
        assertThat(r.ended()).isTrue();
        assertThat(r.firstLoss()).isEqualTo(11.4321);
        assertThat(r.loss()).isEqualTo(7.0512);
        assertThat(r.lossFell()).contains(true);
        assertThat(r.checkpointPath()).contains(Path.of("/state/checkpoints/round-000002/checkpoint-00000080"));
        assertThat(r.shardIds()).containsExactly("internlm2-p000-o000000000000", "internlm2-p001-o000000000000");
        assertThat(r.tokensPerLang()).containsEntry("fr", 21234L);
        assertThat(r.trainingTime(Instant.now())).contains(Duration.ofSeconds(161));
    }

    @Test
    void aRoundBeforeItsFirstStepHasNoLossYet() throws Exception {
        RoundInfo r = parse("{\"round_id\":\"round-000003\",\"state\":\"DISPATCHED\",\"step\":0,\"total_steps\":80}");

        assertThat(r.ended()).isFalse();
        assertThat(r.lossFell()).isEmpty();
        assertThat(r.checkpointLocation()).isEmpty();
        assertThat(r.shardIds()).isEmpty();
        assertThat(RoundTable.progress(r)).isEqualTo("round-000003 DISPATCHED  step 0/80 (0%)");
    }

    @Test
    void theProgressLineShowsStepLossesAndSpeed() {
        RoundInfo r = round("round-000001", "RUNNING", 37, 11.42, 8.13, null);

        assertThat(RoundTable.progress(r))
                .isEqualTo("round-000001 RUNNING  step 37/80 (46%)  loss 11.420 -> 8.130  640 tokens/s");
    }

    @Test
    void theTableHasOneAlignedLinePerRoundWithTheCheckpointOrTheFailure() throws Exception {
        List<String> rows = RoundTable.rows(List.of(parse(SUCCEEDED_JSON),
                round("round-000001", "FAILED", 12, 11.5, 11.2, "bad_data")));

        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("ROUND         STATE      STEP   LOSS (first -> last)  TOKENS");
        assertThat(rows.get(1)).startsWith("round-000002  SUCCEEDED  80/80  11.432 -> 7.051")
                .contains("20,480/61,234").endsWith("/state/checkpoints/round-000002/checkpoint-00000080");
        assertThat(rows.get(2)).startsWith("round-000001  FAILED     12/80  11.500 -> 11.200")
                .endsWith("failed: bad_data: trainer exited 65");
        assertThat(rows.get(1).indexOf("20,480")).isEqualTo(rows.get(0).indexOf("TOKENS"));
    }

    @Test
    void statesAreCountedInTheOrderARoundPassesThem() {
        assertThat(RoundTable.stateCounts(List.of())).isEqualTo("no rounds yet");
        assertThat(RoundTable.stateCounts(List.of(round("r3", "SUCCEEDED", 80, 1.0, 0.5, null),
                round("r2", "RUNNING", 3, 1.0, 0.9, null), round("r1", "SUCCEEDED", 80, 1.0, 0.5, null))))
                .isEqualTo("3 rounds: 1 RUNNING, 2 SUCCEEDED");
    }

    @Test
    void theSummaryGivesTheRoundTheCheckpointAndTheLossAtStartAndEnd() throws Exception {
        List<String> summary = RoundTable.summary(parse(SUCCEEDED_JSON), Instant.now());

        assertThat(summary).containsExactly(
                "training round round-000002: SUCCEEDED in 2m 41s, step 80/80, 20,480 tokens trained on"
                        + " (of 61,234 in 3 shards: en, fr, zh)",
                "  loss at the first step 11.432, at the last 7.051: fell by 4.381",
                "  checkpoint: /state/checkpoints/round-000002/checkpoint-00000080");
    }

    @Test
    void theSummaryFlagsALossThatDidNotFallAndAFailure() {
        List<String> summary = RoundTable.summary(round("round-000001", "FAILED", 12, 11.2, 11.5, "bad_data"),
                Instant.now());

        assertThat(summary).contains("  loss at the first step 11.200, at the last 11.500: DID NOT FALL (the model"
                + " learned nothing)", "  failure: bad_data: trainer exited 65", "  checkpoint: none");
        assertThat(round("r", "SUCCEEDED", 80, 11.2, 11.5, null).lossFell()).contains(false);
    }

    @Test
    void durationsReadAsMinutesAndSeconds() {
        assertThat(RoundTable.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(RoundTable.duration(Duration.ofSeconds(125))).isEqualTo("2m 05s");
    }
}
