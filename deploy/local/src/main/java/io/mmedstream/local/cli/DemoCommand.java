package io.mmedstream.local.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.mmedstream.local.demo.MalformedSubmissions;
import io.mmedstream.local.demo.SampleCorpus;
import io.mmedstream.local.funnel.DrainWatch;
import io.mmedstream.local.funnel.FunnelCounts;
import io.mmedstream.local.funnel.FunnelReader;
import io.mmedstream.local.funnel.FunnelTable;
import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;

/**
 * {@code ./mmed demo}: starts the stack, submits the sample corpus and a few faulty submissions, shows the funnel
 * live until everything is accounted for, and prints the summary.
 */
final class DemoCommand implements Command {

    static final String ONCE = "--once";
    private static final Duration REFRESH = Duration.ofMillis(500);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "start everything, submit the sample corpus, show live progress and a summary";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed demo [--once]

                Starts the stack (as ./mmed up does) unless it runs already, submits the sample corpus (short
                medical and non-medical documents in en, zh, ja, fr, ru, es) and a handful of faulty submissions
                (malformed JSON, invalid UTF-8, blank text, a missing field, a wrongly typed field, an array, a
                text over 8 MiB), shows the funnel live until every submission is accounted for (ingested or
                rejected; accepted or dropped; every accepted document in a shard), then prints the summary.

                  --once   stop the stack and exit when the corpus has drained; without it the demo keeps running
                           and showing the funnel until Ctrl-C, which stops every process it started.

                A stack that was already running is left running either way.
                """;
    }

    @Override
    public Set<String> flags() {
        return Set.of(ONCE);
    }

    @Override
    public int run(Arguments args, CliContext context) throws InterruptedException {
        args.expectPositionals(0, 0, "");
        Terminal terminal = context.terminal();
        LocalStack stack = new LocalStack(context.config(), terminal::info);
        boolean wasRunning = stack.processesRunning();
        AtomicBoolean stopped = new AtomicBoolean(wasRunning);
        AtomicBoolean exiting = new AtomicBoolean();
        Thread stopOnExit = new Thread(() -> {
            exiting.set(true);
            stopOnce(stack, stopped, terminal);
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try {
            int status = demo(args.flag(ONCE), stack, wasRunning, exiting, terminal);
            if (args.flag(ONCE)) {
                stopOnce(stack, stopped, terminal);
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            }
            return status;
        } catch (RuntimeException e) {
            if (exiting.get()) {
                return 130; // Ctrl-C: the shutdown hook is stopping the stack; what failed meanwhile does not matter
            }
            throw e;
        }
    }

    private int demo(boolean once, LocalStack stack, boolean wasRunning, AtomicBoolean exiting, Terminal terminal)
            throws InterruptedException {
        String bootstrap = stack.up().bootstrap();
        terminal.out().println("kafka: " + bootstrap);

        List<byte[]> submissions = new ArrayList<>(SampleCorpus.all());
        int sample = submissions.size();
        if (sample == 0) {
            terminal.info("warning: no sample corpus found in this build (resources sample-corpus/*.jsonl)");
        }
        List<MalformedSubmissions.Malformed> malformed = MalformedSubmissions.all();
        malformed.forEach(m -> submissions.add(m.value()));

        try (FunnelReader reader = FunnelReader.open(bootstrap)) {
            FunnelCounts baseline = reader.catchUp(Duration.ofSeconds(30));
            terminal.info("submitting " + sample + " sample documents and " + malformed.size()
                    + " faulty submissions");
            try (Submitter submitter = Submitter.connect(bootstrap)) {
                SubmissionRun.Result sent = SubmissionRun.run(submitter, SubmissionSource.of(submissions), terminal);
                terminal.info("submitted " + sent.describe());
            }

            AtomicReference<FunnelCounts> latest = new AtomicReference<>(FunnelCounts.EMPTY);
            DrainWatch watch = new DrainWatch(reader, baseline, REFRESH, STALL_TIMEOUT);
            FunnelCounts result;
            try (LiveView view = LiveView.start(terminal, () -> render(latest.get(), terminal.interactive()),
                    Duration.ofSeconds(3))) {
                result = watch.awaitDrained(submissions.size(), latest::set);
            }
            terminal.out().println();
            terminal.out().println("demo summary: every submission is accounted for"
                    + (baseline.submitted() > 0 ? " (counts of this demo's submissions only)" : ""));
            FunnelTable.rows(result).forEach(row -> terminal.out().println("  " + row));
            terminal.out().println("shards are in " + stack.shardsDir());
            terminal.out().flush();
            if (once) {
                if (wasRunning) {
                    terminal.info("the stack was running before the demo and keeps running; ./mmed down stops it");
                }
                return 0;
            }

            terminal.info("");
            terminal.info("the stack keeps running (kafka: " + bootstrap + "); submit more with ./mmed submit FILE."
                    + (wasRunning ? " Ctrl-C ends this view; ./mmed down stops the stack." : " Ctrl-C stops it."));
            try (LiveView view = LiveView.start(terminal, () -> "live: " + FunnelTable.line(latest.get()),
                    Duration.ofSeconds(10))) {
                while (!exiting.get()) {
                    latest.set(reader.catchUp(Duration.ofSeconds(30)).minus(baseline));
                    Thread.sleep(1000);
                }
            }
            return 130;
        }
    }

    /** The whole table on a terminal, where it is redrawn in place; one line in a log. */
    private static String render(FunnelCounts counts, boolean interactive) {
        return interactive ? "funnel (live)\n  " + String.join("\n  ", FunnelTable.rows(counts))
                : "funnel: " + FunnelTable.line(counts);
    }

    private static void stopOnce(LocalStack stack, AtomicBoolean stopped, Terminal terminal) {
        if (stopped.compareAndSet(false, true)) {
            terminal.info("stopping the stack ...");
            List<String> names = stack.down();
            terminal.info("stopped " + String.join(", ", names));
        }
    }
}
