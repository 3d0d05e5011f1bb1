package io.mmedstream.coordinator.messaging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.domain.RoundProgress;
import io.mmedstream.coordinator.domain.RoundStatus;
import io.mmedstream.coordinator.domain.Trigger;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.TrainingRoundChanged;
import io.mmedstream.proto.TrainingRoundShard;
import io.mmedstream.proto.TrainingRoundState;

/** Maps the wire records (generated Avro classes) to the domain and back: the only place that knows both. */
public final class RoundRecords {

    /** CheckpointReady.format of the trainer's checkpoints. */
    public static final String CHECKPOINT_FORMAT = "hf-llama-safetensors";

    private RoundRecords() {
    }

    /** A pooled shard from its announcement, read at {@code partition}/{@code offset}. */
    public static PooledShard shard(ShardReady event, int partition, long offset) {
        return new PooledShard(event.getShardId(), event.getUri(), event.getTokenizerName(),
                event.getTokenizerSha256(), event.getSeqLen(), event.getTokenCount(), event.getTokensPerLang(),
                event.getOccurredAt(), partition, offset);
    }

    /** The record of a round's current state. */
    public static TrainingRoundChanged toRecord(Round round, Instant now) {
        RoundPlan plan = round.plan();
        RoundProgress p = round.progress();
        Failure f = round.failure();
        List<TrainingRoundShard> shards = new ArrayList<>();
        for (PooledShard s : plan.shards()) {
            shards.add(TrainingRoundShard.newBuilder().setShardId(s.shardId()).setUri(s.uri())
                    .setTokenCount(s.tokenCount()).setTokensPerLang(Map.copyOf(s.tokensPerLang())).setSeqLen(s.seqLen())
                    .setReadyAt(s.readyAt()).setReadyPartition(s.readyPartition()).setReadyOffset(s.readyOffset())
                    .build());
        }
        return TrainingRoundChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(now)
                .setRoundId(plan.roundId())
                .setRevision(round.revision())
                .setState(TrainingRoundState.valueOf(round.status().name()))
                .setTrigger(plan.trigger().code())
                .setPlannedAt(plan.plannedAt())
                .setTokenizerName(plan.tokenizerName())
                .setTokenizerSha256(plan.tokenizerSha256())
                .setSeqLen(plan.seqLen())
                .setShards(shards)
                .setTokenCount(plan.tokenCount())
                .setTokensPerLang(Map.copyOf(plan.tokensPerLang()))
                .setLanguageWeights(Map.copyOf(plan.languageWeights()))
                .setMixing(plan.mixing())
                .setParentCheckpointId(plan.parentCheckpointId())
                .setParentCheckpointUri(plan.parentCheckpointUri())
                .setModelConfig(plan.modelConfig())
                .setTotalSteps(plan.totalSteps())
                .setTokensPerStep(plan.tokensPerStep())
                .setTrainerArgs(plan.trainerArgs())
                .setDispatcher(plan.dispatcher())
                .setAttempt(round.attempt())
                .setMaxAttempts(plan.maxAttempts())
                .setExecution(round.execution())
                .setOutputUri(plan.outputUri())
                .setNotBefore(round.notBefore())
                .setDispatchedAt(round.dispatchedAt())
                .setStartedAt(round.startedAt())
                .setFinishedAt(round.finishedAt())
                .setStep(p.step())
                .setTokensSeen(p.tokensSeen())
                .setTokensSeenPerLang(Map.copyOf(p.tokensSeenPerLang()))
                .setFirstLoss(p.firstLoss())
                .setLoss(p.loss())
                .setLearningRate(p.learningRate())
                .setTokensPerSecond(p.tokensPerSecond())
                .setLastCheckpointUri(p.lastCheckpointUri())
                .setCheckpointId(round.checkpointId())
                .setCheckpointUri(round.checkpointUri())
                .setFailureReason(f == null ? null : f.reason())
                .setFailureMessage(f == null ? null : f.message())
                .setShardsReleased(round.shardsReleased())
                .build();
    }

    /** A round from its record. */
    public static Round fromRecord(TrainingRoundChanged r) {
        List<PooledShard> shards = new ArrayList<>();
        for (TrainingRoundShard s : r.getShards()) {
            shards.add(new PooledShard(s.getShardId(), s.getUri(), r.getTokenizerName(), r.getTokenizerSha256(),
                    s.getSeqLen(), s.getTokenCount(), s.getTokensPerLang(), s.getReadyAt(), s.getReadyPartition(),
                    s.getReadyOffset()));
        }
        RoundPlan plan = new RoundPlan(r.getRoundId(), Trigger.ofCode(r.getTrigger()), r.getPlannedAt(),
                r.getTokenizerName(), r.getTokenizerSha256(), r.getSeqLen(), shards, r.getTokenCount(),
                r.getTokensPerLang(), r.getLanguageWeights(), r.getMixing(), r.getParentCheckpointId(),
                r.getParentCheckpointUri(), r.getModelConfig(), r.getTotalSteps(), r.getTokensPerStep(),
                r.getTrainerArgs(), r.getDispatcher(), r.getMaxAttempts(), r.getOutputUri());
        RoundStatus status = RoundStatus.valueOf(r.getState().name());
        Failure failure = r.getFailureReason() == null ? null
                : new Failure(r.getFailureReason(), r.getFailureMessage() == null ? "" : r.getFailureMessage(),
                        status == RoundStatus.PLANNED);
        RoundProgress progress = new RoundProgress(r.getStep(), r.getTokensSeen(), r.getTokensSeenPerLang(),
                r.getFirstLoss(), r.getLoss(), r.getLearningRate(), r.getTokensPerSecond(), r.getLastCheckpointUri());
        return new Round(plan, r.getRevision(), status, r.getAttempt(), r.getExecution(), r.getNotBefore(),
                r.getDispatchedAt(), r.getStartedAt(), r.getFinishedAt(), progress, r.getCheckpointId(),
                r.getCheckpointUri(), failure, r.getShardsReleased(), r.getOccurredAt());
    }

    /** The announcement of a SUCCEEDED round's checkpoint. */
    public static CheckpointReady checkpoint(Round round, Instant now) {
        if (round.status() != RoundStatus.SUCCEEDED) {
            throw new IllegalArgumentException("round " + round.id() + " is " + round.status());
        }
        RoundPlan plan = round.plan();
        RoundProgress p = round.progress();
        return CheckpointReady.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(now)
                .setCheckpointId(round.checkpointId())
                .setUri(round.checkpointUri())
                .setFormat(CHECKPOINT_FORMAT)
                .setParentCheckpointId(plan.parentCheckpointId())
                .setParentCheckpointUri(plan.parentCheckpointUri())
                .setRoundId(plan.roundId())
                .setStep(p.step())
                .setTokensSeen(p.tokensSeen())
                .setTokensPerLang(Map.copyOf(p.tokensSeenPerLang()))
                .setFirstTrainLoss(p.firstLoss())
                .setFinalTrainLoss(p.loss())
                .setTokenizerName(plan.tokenizerName())
                .setTokenizerSha256(plan.tokenizerSha256())
                .setSeqLen(plan.seqLen())
                .setShardIds(plan.shards().stream().map(PooledShard::shardId).toList())
                .build();
    }
}
