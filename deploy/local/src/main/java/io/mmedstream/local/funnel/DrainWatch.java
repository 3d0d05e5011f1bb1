package io.mmedstream.local.funnel;

import java.time.Duration;
import java.util.function.Consumer;

import io.mmedstream.local.cli.CommandException;

/**
 * Follows the funnel until a batch of submissions has gone all the way through: each one ingested or rejected,
 * each ingested document accepted or dropped, each accepted document in an announced shard. Counts are taken
 * relative to a baseline, so whatever the topics held before does not matter.
 */
public final class DrainWatch {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final FunnelReader reader;
    private final FunnelCounts baseline;
    private final Duration interval;
    private final Duration stallTimeout;

    /**
     * @param interval how often the topics are read
     * @param stallTimeout how long the counts may stay unchanged before the watch gives up
     */
    public DrainWatch(FunnelReader reader, FunnelCounts baseline, Duration interval, Duration stallTimeout) {
        this.reader = reader;
        this.baseline = baseline;
        this.interval = interval;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Returns the counts since the baseline once {@code expectedSubmitted} submissions are fully accounted for.
     *
     * @param onUpdate receives the counts since the baseline after each read
     * @throws CommandException when nothing moves for the stall timeout, naming the stage that holds documents
     */
    public FunnelCounts awaitDrained(long expectedSubmitted, Consumer<FunnelCounts> onUpdate) {
        FunnelCounts last = null;
        long lastChange = System.nanoTime();
        while (true) {
            FunnelCounts now = reader.catchUp(READ_TIMEOUT).minus(baseline);
            onUpdate.accept(now);
            if (now.submitted() >= expectedSubmitted && now.drained()) {
                return now;
            }
            if (!now.equals(last)) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > stallTimeout.toNanos()) {
                String stage = now.submitted() < expectedSubmitted ? "submission" : now.pendingStage();
                throw new CommandException("nothing moved for " + stallTimeout.toSeconds() + " s; documents are"
                        + " still waiting at " + stage + " (" + FunnelTable.line(now) + "). See that service's log"
                        + " in $MMED_HOME/logs/.");
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted");
            }
        }
    }
}
