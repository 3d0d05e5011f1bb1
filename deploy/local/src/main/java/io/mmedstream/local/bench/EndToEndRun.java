package io.mmedstream.local.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.mmedstream.local.cli.LiveView;
import io.mmedstream.local.cli.Terminal;
import io.mmedstream.local.funnel.DrainWatch;
import io.mmedstream.local.funnel.FunnelCounts;
import io.mmedstream.local.funnel.FunnelReader;
import io.mmedstream.local.funnel.FunnelTable;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;

/**
 * Pushes a corpus through the running stack and times it from the first submission until the last document is
 * accounted for: every submission ingested or rejected, every ingested document accepted or dropped, and every
 * accepted document in an announced shard (which includes tokenize's idle flush of the last, partial shard).
 */
public final class EndToEndRun {

    private static final Duration INTERVAL = Duration.ofMillis(250);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(180);

    /**
     * What the run measured.
     *
     * @param submitted time until the broker had acknowledged every submission
     * @param filtered time until every submission was ingested or rejected, and accepted or dropped
     * @param inShards time until every accepted document was in an announced shard
     * @param counts the funnel of this run alone
     */
    public record Result(Duration submitted, Duration filtered, Duration inShards, FunnelCounts counts) {
    }

    private EndToEndRun() {
    }

    public static Result run(String bootstrap, BenchCorpus corpus, Terminal terminal) {
        try (FunnelReader reader = FunnelReader.open(bootstrap)) {
            FunnelCounts baseline = reader.catchUp(Duration.ofSeconds(60));
            long started = System.nanoTime();
            Duration submitted;
            try (Submitter submitter = Submitter.connect(bootstrap)) {
                SubmissionRun.run(submitter, SubmissionSource.of(corpus.submissions()), terminal);
                submitted = since(started);
            }
            int expected = corpus.documents().size();
            AtomicReference<Duration> filtered = new AtomicReference<>();
            AtomicReference<FunnelCounts> latest = new AtomicReference<>(FunnelCounts.EMPTY);
            FunnelCounts counts;
            try (LiveView view = LiveView.start(terminal, () -> "pipeline: " + FunnelTable.line(latest.get()),
                    Duration.ofSeconds(5))) {
                counts = new DrainWatch(reader, baseline, INTERVAL, STALL_TIMEOUT).awaitDrained(expected, now -> {
                    latest.set(now);
                    if (filtered.get() == null && now.submitted() >= expected && now.ingestDrained()
                            && now.filterDrained()) {
                        filtered.set(since(started));
                    }
                });
            }
            Duration inShards = since(started);
            return new Result(submitted, filtered.get() == null ? inShards : filtered.get(), inShards, counts);
        }
    }

    private static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
