package io.mmedstream.coordinator.api;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The pool as the admin API shows it.
 *
 * @param waiting shards waiting for a round
 * @param waitingTokens their tokens
 * @param aside shards kept aside, each with its reason
 * @param decision the policy's last explanation (why no round is due, or why the last one was)
 * @param coordinator the coordinator loop's state
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PoolView(List<RoundView.ShardView> waiting, long waitingTokens, List<RoundView.ShardView> aside,
        String decision, String coordinator) {
}
