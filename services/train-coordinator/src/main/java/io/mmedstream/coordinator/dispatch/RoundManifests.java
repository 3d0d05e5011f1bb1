package io.mmedstream.coordinator.dispatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.RoundPlan;

/**
 * The round manifest the trainer reads (services/trainer README, "Round manifest (version 1)"): the shards, the
 * sequence length, the language weights, the step count and the data seed. The bytes are a function of the plan
 * only, so every attempt writes the same file: the trainer refuses to resume from a checkpoint made with another
 * manifest.
 */
public final class RoundManifests {

    /** The manifest version this coordinator writes. */
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RoundManifests() {
    }

    /**
     * The manifest as UTF-8 JSON.
     *
     * @param shardLocation how the trainer finds a shard manifest, from its {@code ShardReady.uri}
     */
    public static byte[] json(RoundPlan plan, UnaryOperator<String> shardLocation) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("version", VERSION);
        manifest.put("round_id", plan.roundId());
        List<String> shards = new ArrayList<>();
        for (PooledShard shard : plan.shards()) {
            shards.add(shardLocation.apply(shard.uri()));
        }
        manifest.put("shards", shards);
        manifest.put("seq_len", plan.seqLen());
        manifest.put("language_weights", new TreeMap<>(plan.languageWeights()));
        manifest.put("steps", plan.totalSteps());
        manifest.put("seed", plan.number());
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the manifest of " + plan.roundId(), e);
        }
    }
}
