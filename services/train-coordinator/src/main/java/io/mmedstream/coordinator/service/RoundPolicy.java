package io.mmedstream.coordinator.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Trigger;

/**
 * Decides whether the pool of untrained shards justifies a round now, and which shards it takes.
 *
 * <p>Only shards of one tokenizer (by SHA-256 of its tokenizer.json) are ever mixed: the lineage's tokenizer when
 * there is one (a model continues with the vocabulary it was trained with), else the configured one, else that of
 * the oldest pooled shard. The others are kept aside with the reason {@value AsideShard#TOKENIZER_MISMATCH}.
 *
 * <p>A round is due when the matching shards hold at least {@code minNewTokens} ({@link Trigger#THRESHOLD}), or when
 * the oldest of them has waited {@code maxWait} and they hold at least {@code minTokensAfterWait}
 * ({@link Trigger#MAX_WAIT}), or at once on request when there is at least one ({@link Trigger#MANUAL}). It takes the
 * matching shards oldest first, up to {@code maxTokensPerRound} (always at least one).
 */
public final class RoundPolicy {

    /**
     * The policy's settings.
     *
     * @param minNewTokens tokens that make a round due at once
     * @param maxWait how long the oldest pooled shard may wait before a smaller round is due
     * @param minTokensAfterWait the least tokens of a round made due by {@code maxWait}
     * @param maxTokensPerRound most tokens one round takes (0: no limit); the rest waits for the next round
     */
    public record Settings(long minNewTokens, Duration maxWait, long minTokensAfterWait, long maxTokensPerRound) {

        public Settings {
            if (minNewTokens < 1 || minTokensAfterWait < 1 || maxTokensPerRound < 0) {
                throw new IllegalArgumentException("token thresholds must be positive: " + minNewTokens + ", "
                        + minTokensAfterWait + ", " + maxTokensPerRound);
            }
            Objects.requireNonNull(maxWait, "maxWait");
        }
    }

    /**
     * The outcome of one look at the pool.
     *
     * @param trigger why a round is due; null when none is
     * @param tokenizerSha256 the tokenizer the round would train with (null when the pool is empty)
     * @param selected the shards the round takes (empty when none is due)
     * @param aside shards that can never join this lineage's rounds, with reasons
     * @param explanation what was decided and why, for logs and the admin API
     */
    public record Decision(Trigger trigger, String tokenizerSha256, List<PooledShard> selected, List<AsideShard> aside,
            String explanation) {

        public boolean due() {
            return trigger != null;
        }
    }

    private final Settings settings;

    public RoundPolicy(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Looks at the pool.
     *
     * @param pool the untrained shards, in any order
     * @param requiredTokenizer the tokenizer the lineage trains with, or null when the lineage has none yet
     * @param now the time of the decision
     * @param manual whether an operator asked for a round now
     */
    public Decision decide(List<PooledShard> pool, String requiredTokenizer, Instant now, boolean manual) {
        List<PooledShard> ordered = new ArrayList<>(pool);
        ordered.sort(Comparator.comparing(PooledShard::readyAt).thenComparing(PooledShard::readyPartition)
                .thenComparingLong(PooledShard::readyOffset));
        String tokenizer = requiredTokenizer != null ? requiredTokenizer
                : ordered.isEmpty() ? null : ordered.get(0).tokenizerSha256();
        List<PooledShard> matching = new ArrayList<>();
        List<AsideShard> aside = new ArrayList<>();
        for (PooledShard shard : ordered) {
            if (shard.tokenizerSha256().equals(tokenizer)) {
                matching.add(shard);
            } else {
                aside.add(new AsideShard(shard, AsideShard.TOKENIZER_MISMATCH, "made with tokenizer "
                        + shard.tokenizerName() + " " + abbreviate(shard.tokenizerSha256())
                        + "; rounds of this lineage train with " + abbreviate(tokenizer)));
            }
        }
        if (matching.isEmpty()) {
            return new Decision(null, tokenizer, List.of(), aside, aside.isEmpty() ? "waiting: the pool is empty"
                    : "waiting: no pooled shard of tokenizer " + abbreviate(tokenizer) + " (" + aside.size()
                            + " kept aside)");
        }
        long tokens = matching.stream().mapToLong(PooledShard::tokenCount).sum();
        Instant oldest = matching.get(0).readyAt();
        Duration waited = Duration.between(oldest, now);
        Trigger trigger;
        String why;
        if (manual) {
            trigger = Trigger.MANUAL;
            why = "requested";
        } else if (tokens >= settings.minNewTokens()) {
            trigger = Trigger.THRESHOLD;
            why = tokens + " new tokens >= " + settings.minNewTokens();
        } else if (waited.compareTo(settings.maxWait()) >= 0 && tokens >= settings.minTokensAfterWait()) {
            trigger = Trigger.MAX_WAIT;
            why = "the oldest shard waited " + waited.toSeconds() + "s >= " + settings.maxWait().toSeconds()
                    + "s with " + tokens + " tokens >= " + settings.minTokensAfterWait();
        } else {
            Instant waitEnds = oldest.plus(settings.maxWait());
            String explanation = "waiting: " + tokens + " of " + settings.minNewTokens() + " tokens in "
                    + matching.size() + " shards; "
                    + (tokens >= settings.minTokensAfterWait() ? "a round is due at " + waitEnds
                            : "below the minimum of " + settings.minTokensAfterWait() + " for a round after the wait");
            return new Decision(null, tokenizer, List.of(), aside, explanation);
        }
        List<PooledShard> selected = select(matching);
        long selectedTokens = selected.stream().mapToLong(PooledShard::tokenCount).sum();
        return new Decision(trigger, tokenizer, selected, aside, trigger.code() + ": " + why + "; taking "
                + selected.size() + " of " + matching.size() + " shards (" + selectedTokens + " tokens)");
    }

    private List<PooledShard> select(List<PooledShard> matching) {
        if (settings.maxTokensPerRound() == 0) {
            return List.copyOf(matching);
        }
        List<PooledShard> selected = new ArrayList<>();
        long total = 0;
        for (PooledShard shard : matching) {
            if (!selected.isEmpty() && total + shard.tokenCount() > settings.maxTokensPerRound()) {
                break;
            }
            selected.add(shard);
            total += shard.tokenCount();
        }
        return selected;
    }

    static String abbreviate(String sha) {
        return sha == null ? "(none)" : sha.length() > 12 ? sha.substring(0, 12) + "..." : sha;
    }
}
