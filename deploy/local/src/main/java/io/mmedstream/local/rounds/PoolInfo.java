package io.mmedstream.local.rounds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The train-coordinator's pool ({@code GET /pool}): shards waiting for a round, shards kept aside with their reason,
 * and the policy's last decision.
 *
 * @param waiting ids of the shards waiting for a round
 * @param waitingTokens their tokens
 * @param aside ids of the shards kept aside, with the reason (and detail) of each
 * @param decision the policy's last explanation; may be empty
 */
public record PoolInfo(List<String> waiting, long waitingTokens, Map<String, String> aside, String decision) {

    public PoolInfo {
        waiting = List.copyOf(waiting);
        aside = Map.copyOf(aside);
    }

    /** Reads the API's JSON. */
    public static PoolInfo of(JsonNode n) {
        List<String> waiting = new ArrayList<>();
        n.path("waiting").forEach(s -> waiting.add(s.path("shard_id").asText()));
        Map<String, String> aside = new LinkedHashMap<>();
        n.path("aside").forEach(s -> {
            String detail = s.path("detail").asText("");
            aside.put(s.path("shard_id").asText(),
                    s.path("reason").asText("") + (detail.isEmpty() ? "" : " (" + detail + ")"));
        });
        return new PoolInfo(waiting, n.path("waiting_tokens").asLong(), aside, n.path("decision").asText(""));
    }
}
