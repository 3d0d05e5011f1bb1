package io.mmedstream.local.rounds;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.mmedstream.local.cli.CommandException;

/**
 * Gets a set of announced shards trained, through the train-coordinator's admin API: waits until the coordinator has
 * taken them up, plans a round now ({@code POST /rounds}) unless its policy already put them in one, and follows the
 * round until it ends. Used by {@code ./mmed demo} and the end-to-end test.
 *
 * <p>Asking for the round is more dependable than configuring the policy to fire soon: the policy would start a
 * round as soon as its wait expires, possibly before the last shard of a corpus is announced, and then take the rest
 * in a second round. {@code POST /rounds} is made once every shard is in the pool, so one round gets them all.
 */
public final class RoundDriver {

    /**
     * The round that trains the shards, or one that must end first.
     *
     * @param round the round as last seen
     * @param ours whether it trains (some of) the shards; when not, it is a live round that holds the trainer, and the
     *        shards get a round of their own once it ends
     */
    public record Start(RoundInfo round, boolean ours) {
    }

    private final CoordinatorClient client;
    private final Duration poll;
    private final Duration patience;
    private final Consumer<String> progress;
    /** The shards of rounds that ended: a round's shards never change, so each is asked for once. */
    private final Map<String, List<String>> endedRoundShards = new HashMap<>();

    /**
     * @param poll how often the coordinator is asked
     * @param patience how long the coordinator may not answer (restarting, reconnecting) before this gives up
     * @param progress receives a line when something worth telling happens
     */
    public RoundDriver(CoordinatorClient client, Duration poll, Duration patience, Consumer<String> progress) {
        this.client = client;
        this.poll = poll;
        this.patience = patience;
        this.progress = progress;
    }

    /**
     * Waits until the coordinator knows every one of {@code shardIds}, then returns the newest round that has any of
     * them, else the live round if one runs (it must end first), else a round planned now.
     *
     * @param timeout how long the coordinator may take to take the shards up
     * @throws CommandException when it does not take them up in time, keeps them all aside, or plans no round
     */
    public Start start(Collection<String> shardIds, Duration timeout) {
        if (shardIds.isEmpty()) {
            throw new IllegalArgumentException("no shards to train on");
        }
        Set<String> ids = new LinkedHashSet<>(shardIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> missing = ids;
        CommandException lastUnavailable = null;
        while (true) {
            try {
                Optional<RoundInfo> having = newestRoundWithAny(ids);
                if (having.isPresent()) {
                    return new Start(having.get(), true);
                }
                PoolInfo pool = client.pool();
                missing = new LinkedHashSet<>(ids);
                missing.removeAll(pool.waiting());
                missing.removeAll(pool.aside().keySet());
                if (missing.isEmpty()) {
                    if (pool.waiting().stream().noneMatch(ids::contains)) {
                        Map<String, String> reasons = new LinkedHashMap<>(pool.aside());
                        reasons.keySet().retainAll(ids);
                        throw new CommandException("the train-coordinator keeps every one of the shards aside, so"
                                + " none can be trained on: " + reasons);
                    }
                    Optional<RoundInfo> live = client.rounds().stream().filter(r -> !r.ended()).findFirst();
                    if (live.isPresent()) {
                        return new Start(live.get(), false);
                    }
                    try {
                        RoundInfo planned = client.trigger();
                        progress.accept("planned " + planned.roundId() + ": " + planned.totalSteps() + " steps over "
                                + planned.shardCount() + (planned.shardCount() == 1 ? " shard" : " shards"));
                        return new Start(planned, true);
                    } catch (CoordinatorClient.RefusedException e) {
                        if (e.status() != 409 || client.rounds().stream().allMatch(RoundInfo::ended)) {
                            String decision = client.pool().decision();
                            throw new CommandException("the train-coordinator planned no round: " + e.getMessage()
                                    + (decision.isEmpty() ? "" : " (its policy: " + decision + ")"), e);
                        }
                        // A round went live meanwhile (the policy's own): the next pass finds it.
                    }
                }
                lastUnavailable = null;
            } catch (CoordinatorClient.UnavailableException e) {
                lastUnavailable = e;
            }
            if (System.nanoTime() > deadline) {
                if (lastUnavailable != null) {
                    throw lastUnavailable;
                }
                throw new CommandException("the train-coordinator has not taken up " + missing.size() + " of the "
                        + ids.size() + " shards within " + timeout.toSeconds() + " s (e.g. " + missing.iterator().next()
                        + "); see $MMED_HOME/logs/train-coordinator.log");
            }
            pause();
        }
    }

    /**
     * Follows a round until it ends, passing each state seen to {@code onUpdate}.
     *
     * @return the round as it ended
     * @throws CommandException when the coordinator does not answer for longer than the patience
     */
    public RoundInfo follow(String roundId, Consumer<RoundInfo> onUpdate) {
        long lastAnswer = System.nanoTime();
        while (true) {
            try {
                RoundInfo round = client.round(roundId);
                lastAnswer = System.nanoTime();
                onUpdate.accept(round);
                if (round.ended()) {
                    return round;
                }
            } catch (CoordinatorClient.UnavailableException e) {
                if (System.nanoTime() - lastAnswer > patience.toNanos()) {
                    throw new CommandException("the train-coordinator stopped answering while " + roundId + " ran ("
                            + e.getMessage() + "); see $MMED_HOME/logs/train-coordinator.log", e);
                }
            }
            pause();
        }
    }

    /** The newest round, not cancelled, whose shards include any of {@code ids}. */
    private Optional<RoundInfo> newestRoundWithAny(Set<String> ids) {
        for (RoundInfo listed : client.rounds()) {
            if (listed.state().equals("CANCELLED")) {
                continue; // its shards went back to the pool
            }
            List<String> shards = endedRoundShards.get(listed.roundId());
            RoundInfo detail = null;
            if (shards == null) {
                detail = client.round(listed.roundId());
                shards = detail.shardIds();
                if (detail.ended()) {
                    endedRoundShards.put(listed.roundId(), shards);
                }
            }
            if (shards.stream().anyMatch(ids::contains)) {
                return Optional.of(detail != null ? detail : client.round(listed.roundId()));
            }
        }
        return Optional.empty();
    }

    private void pause() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
    }
}
