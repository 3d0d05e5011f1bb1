package io.mmedstream.coordinator.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.mmedstream.coordinator.domain.DispatchWait;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.domain.RoundProgress;

/** A round as the admin API shows it (JSON, snake_case). {@code shards} only in the single-round view. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoundView(String roundId, String state, String trigger, int attempt, int maxAttempts, int step,
        int totalSteps, double progress, Double firstLoss, Double loss, Double learningRate, Double tokensPerSecond,
        long tokensSeen, long tokenCount, int shardCount, Map<String, Long> tokensPerLang,
        Map<String, Double> languageWeights, String mixing, String tokenizerName, String tokenizerSha256, int seqLen,
        String parentCheckpointId, String parentCheckpointUri, String dispatcher, String execution, String outputUri,
        String lastCheckpointUri, String checkpointId, String checkpointUri, String failureReason,
        String failureMessage, Instant plannedAt, Instant dispatchedAt, Instant startedAt, Instant finishedAt,
        Instant notBefore, Instant updatedAt, DispatchWait waitingForDispatcher, List<ShardView> shards) {

    /** A shard of a round, or of the pool. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ShardView(String shardId, String uri, long tokenCount, Map<String, Long> tokensPerLang,
            String tokenizerName, String tokenizerSha256, int seqLen, Instant readyAt, String reason, String detail) {

        static ShardView of(PooledShard s, String reason, String detail) {
            return new ShardView(s.shardId(), s.uri(), s.tokenCount(), s.tokensPerLang(), s.tokenizerName(),
                    s.tokenizerSha256(), s.seqLen(), s.readyAt(), reason, detail);
        }
    }

    /**
     * @param wait set while the round's attempt waits for an unavailable dispatcher (shown as
     *             {@code waiting_for_dispatcher}), else null
     */
    static RoundView of(Round round, boolean withShards, DispatchWait wait) {
        RoundPlan plan = round.plan();
        RoundProgress p = round.progress();
        double progress = plan.totalSteps() == 0 ? 0 : Math.min(1.0, (double) p.step() / plan.totalSteps());
        return new RoundView(plan.roundId(), round.status().name(), plan.trigger().code(), round.attempt(),
                plan.maxAttempts(), p.step(), plan.totalSteps(), Math.round(progress * 10_000) / 10_000.0,
                p.firstLoss(), p.loss(), p.learningRate(), p.tokensPerSecond(), p.tokensSeen(), plan.tokenCount(),
                plan.shards().size(), plan.tokensPerLang(), plan.languageWeights(), plan.mixing(),
                plan.tokenizerName(), plan.tokenizerSha256(), plan.seqLen(), plan.parentCheckpointId(),
                plan.parentCheckpointUri(), plan.dispatcher(), round.execution(), plan.outputUri(),
                p.lastCheckpointUri(), round.checkpointId(), round.checkpointUri(),
                round.failure() == null ? null : round.failure().reason(),
                round.failure() == null ? null : round.failure().message(), plan.plannedAt(), round.dispatchedAt(),
                round.startedAt(), round.finishedAt(), round.notBefore(), round.updatedAt(), wait,
                withShards ? plan.shards().stream().map(s -> ShardView.of(s, null, null)).toList() : null);
    }
}
