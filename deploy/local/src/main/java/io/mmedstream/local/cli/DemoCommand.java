package io.mmedstream.local.cli;

import java.time.Duration;
import java.time.Instant;
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
import io.mmedstream.local.rounds.CoordinatorClient;
import io.mmedstream.local.rounds.RoundDriver;
import io.mmedstream.local.rounds.RoundInfo;
import io.mmedstream.local.rounds.RoundTable;
import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.stack.Service;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;

/**
 * {@code ./mmed demo}: starts the stack, submits the sample corpus and a few faulty submissions, shows the funnel
 * live until everything is accounted for, then has the train-coordinator train a round on the new shards, shows its
 * progress live until it ends, and prints the summary: the funnel, the round, its checkpoint, its loss at the first
 * and the last step.
 */
final class DemoCommand implements Command {

    static final String ONCE = "--once";
    private static final Duration REFRESH = Duration.ofMillis(500);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);
    /** How long the train-coordinator may take to pool the shards tokenize announced. */
    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(120);
    /** How long the train-coordinator may not answer while a round runs before the demo gives up. */
    private static final Duration COORDINATOR_PATIENCE = Duration.ofSeconds(90);

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

                Starts the stack (as ./mmed up does, which first makes sure the trainer has a Python with PyTorch)
                unless it runs already, submits the sample corpus (short medical and non-medical documents in en,
                zh, ja, fr, ru, es) and a handful of faulty submissions (malformed JSON, invalid UTF-8, blank text,
                a missing field, a wrongly typed field, an array, a text over 8 MiB), shows the funnel live until
                every submission is accounted for (ingested or rejected; accepted or dropped; every accepted
                document in a shard) and prints its summary.

                Then it asks the train-coordinator for a training round on the new shards (POST /rounds once it
                has pooled them all), which the local trainer runs on a fresh tiny model (a few minutes on two
                CPU cores), shows the round's progress live (step, loss, tokens/s) until it ends, and prints the
                round, its checkpoint and the training loss at its first and last step, which must have fallen.

                  --once   stop the stack and exit when the round has ended; without it the demo keeps running
                           and showing the funnel until Ctrl-C, which stops every process it started.

                A stack that was already running is left running either way. Exit status 1 when the round failed
                or its loss did not fall.
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
        LocalStack stack = new LocalStack(TrainerSetup.prepare(context), terminal::info);
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

            List<String> all = reader.shardIds();
            List<String> shards = all.subList((int) Math.min(all.size(), baseline.shards()), all.size());
            int status = train(stack, shards, terminal);
            if (once) {
                if (wasRunning) {
                    terminal.info("the stack was running before the demo and keeps running; ./mmed down stops it");
                }
                return status;
            }

            terminal.info("");
            terminal.info("the stack keeps running (kafka: " + bootstrap + "); submit more with ./mmed submit FILE,"
                    + " list the training rounds with ./mmed rounds."
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

    /**
     * Has the train-coordinator train a round on {@code shards} and follows it live: a round it already has them in,
     * else one planned now (after a live round of other shards, if one runs, has ended).
     *
     * @return 0 when the round succeeded and its loss fell, else 1
     */
    private static int train(LocalStack stack, List<String> shards, Terminal terminal) {
        if (shards.isEmpty()) {
            // Every document was rejected or dropped: on a stack that has seen the sample corpus before, the
            // filter's deduplication drops it all. Nothing new to train on is not a failure of the demo.
            terminal.info("");
            terminal.info("training: no new shard, since no document of this demo was accepted (a corpus the stack"
                    + " has seen before is dropped as duplicates), so there is nothing new to train on. ./mmed rounds"
                    + " lists the earlier rounds; ./mmed down && rm -rf " + stack.config().home()
                    + " starts from nothing.");
            return 0;
        }
        CoordinatorClient client = CoordinatorClient.local(stack.port(Service.TRAIN_COORDINATOR));
        RoundDriver driver = new RoundDriver(client, Duration.ofSeconds(1), COORDINATOR_PATIENCE, terminal::info);
        terminal.info("");
        terminal.info("training: asking the train-coordinator (" + client.base() + ") for a round on the "
                + shards.size() + (shards.size() == 1 ? " new shard" : " new shards"));
        RoundInfo round;
        while (true) {
            RoundDriver.Start start = driver.start(shards, POOL_TIMEOUT);
            if (!start.ours()) {
                terminal.info(start.round().roundId() + " (other shards) is training; the demo's round follows");
            }
            AtomicReference<RoundInfo> latest = new AtomicReference<>(start.round());
            try (LiveView view = LiveView.start(terminal, () -> "training " + RoundTable.progress(latest.get()),
                    Duration.ofSeconds(5))) {
                round = driver.follow(start.round().roundId(), latest::set);
            }
            if (start.ours()) {
                break;
            }
        }
        terminal.out().println();
        RoundTable.summary(round, Instant.now()).forEach(terminal.out()::println);
        terminal.out().flush();
        if (!round.succeeded()) {
            terminal.info("the round did not succeed: its trainer's output is in "
                    + stack.config().roundsDir().resolve(round.roundId()) + " (attempt-<n>.stderr.log), the"
                    + " coordinator's log in " + stack.config().logFile(Service.TRAIN_COORDINATOR.id()));
            return 1;
        }
        if (!round.lossFell().orElse(false)) {
            terminal.info("the round's training loss did not fall: the model did not learn from the shards");
            return 1;
        }
        return 0;
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
