package io.mmedstream.local.rounds;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.mmedstream.local.cli.Format;

/** How the CLI shows rounds: the {@code rounds} table, a live progress line, state counts and the demo's summary. */
public final class RoundTable {

    private RoundTable() {
    }

    /** The {@code ./mmed rounds} table: a header and one line per round, in the order given. */
    public static List<String> rows(List<RoundInfo> rounds) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"ROUND", "STATE", "STEP", "LOSS (first -> last)", "TOKENS", "CHECKPOINT"});
        for (RoundInfo r : rounds) {
            String last = r.checkpointLocation().orElse(
                    r.failureReason() == null ? "-" : "failed: " + r.failureReason()
                            + (r.failureMessage() == null ? "" : ": " + r.failureMessage()));
            cells.add(new String[] {r.roundId(), r.state() + attempt(r), r.step() + "/" + r.totalSteps(), losses(r),
                    Format.count(r.tokensSeen()) + "/" + Format.count(r.tokenCount()), last});
        }
        int[] width = new int[cells.get(0).length - 1];
        for (String[] row : cells) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i < width.length) {
                    sb.append(String.format(Locale.ROOT, "%-" + width[i] + "s  ", row[i]));
                } else {
                    sb.append(row[i]);
                }
            }
            lines.add(sb.toString().stripTrailing());
        }
        return lines;
    }

    /** One line of a round's progress: {@code round-000001 RUNNING step 37/80 (46%) loss 11.42 -> 8.13 ...}. */
    public static String progress(RoundInfo r) {
        StringBuilder sb = new StringBuilder(r.roundId()).append(' ').append(r.state()).append(attempt(r));
        sb.append("  step ").append(r.step()).append('/').append(r.totalSteps());
        if (r.totalSteps() > 0) {
            sb.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, 100L * r.step() / r.totalSteps())));
        }
        if (r.loss() != null) {
            sb.append("  loss ").append(losses(r));
        }
        if (r.tokensPerSecond() != null && !r.ended()) {
            sb.append("  ").append(Format.rate(r.tokensPerSecond())).append(" tokens/s");
        }
        if (r.failureReason() != null) {
            sb.append("  ").append(r.ended() ? "failed: " : "last failure: ").append(r.failureReason());
        }
        return sb.toString();
    }

    /** {@code 3 rounds: 1 RUNNING, 2 SUCCEEDED}, states in the order a round passes through them. */
    public static String stateCounts(List<RoundInfo> rounds) {
        if (rounds.isEmpty()) {
            return "no rounds yet";
        }
        Map<String, Integer> byState = new TreeMap<>((a, b) -> Integer.compare(order(a), order(b)) != 0
                ? Integer.compare(order(a), order(b)) : a.compareTo(b));
        rounds.forEach(r -> byState.merge(r.state(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        byState.forEach((state, n) -> parts.add(n + " " + state));
        return rounds.size() + (rounds.size() == 1 ? " round: " : " rounds: ") + String.join(", ", parts);
    }

    /**
     * The demo's summary of a round that ended: the round and its outcome, the loss at its first and last step (and
     * whether it fell), the checkpoint.
     */
    public static List<String> summary(RoundInfo r, Instant now) {
        List<String> lines = new ArrayList<>();
        String time = r.trainingTime(now).map(RoundTable::duration).map(d -> " in " + d).orElse("");
        lines.add("training round " + r.roundId() + ": " + r.state() + time + ", step " + r.step() + "/"
                + r.totalSteps() + ", " + Format.count(r.tokensSeen()) + " tokens trained on"
                + (r.tokensPerLang().isEmpty() ? "" : " (of " + Format.count(r.tokenCount()) + " in "
                        + r.shardCount() + (r.shardCount() == 1 ? " shard: " : " shards: ")
                        + String.join(", ", new TreeMap<>(r.tokensPerLang()).keySet()) + ")"));
        if (r.firstLoss() != null && r.loss() != null) {
            double fall = r.firstLoss() - r.loss();
            lines.add(String.format(Locale.ROOT, "  loss at the first step %.3f, at the last %.3f: %s", r.firstLoss(),
                    r.loss(), fall > 0 ? String.format(Locale.ROOT, "fell by %.3f", fall)
                            : "DID NOT FALL (the model learned nothing)"));
        } else {
            lines.add("  loss: not reported");
        }
        if (r.failureReason() != null && !r.succeeded()) {
            lines.add("  failure: " + r.failureReason()
                    + (r.failureMessage() == null ? "" : ": " + r.failureMessage()));
        }
        lines.add("  checkpoint: " + r.checkpointLocation().orElse("none"));
        return lines;
    }

    /** {@code 2m 05s}, or {@code 42s}. */
    static String duration(Duration d) {
        long s = Math.round(d.toMillis() / 1000.0);
        return s < 60 ? s + "s" : String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }

    private static String losses(RoundInfo r) {
        if (r.loss() == null) {
            return "-";
        }
        return r.firstLoss() == null ? fmt(r.loss()) : fmt(r.firstLoss()) + " -> " + fmt(r.loss());
    }

    private static String fmt(double loss) {
        return String.format(Locale.ROOT, "%.3f", loss);
    }

    /** {@code (attempt 2/3)} once a round is on a later attempt; nothing for the first. */
    private static String attempt(RoundInfo r) {
        return r.attempt() > 1 ? " (attempt " + r.attempt() + "/" + r.maxAttempts() + ")" : "";
    }

    private static int order(String state) {
        int i = RoundInfo.STATES.indexOf(state);
        return i < 0 ? RoundInfo.STATES.size() : i;
    }
}
