package io.mmedstream.local.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.mmedstream.local.demo.DemoQuestion;
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
import io.mmedstream.local.serving.EvalProgress;
import io.mmedstream.local.serving.Evaluation;
import io.mmedstream.local.serving.EvaluationReader;
import io.mmedstream.local.serving.EvaluationTable;
import io.mmedstream.local.serving.InferenceClient;
import io.mmedstream.local.serving.ServingDriver;
import io.mmedstream.local.stack.Service;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.ModelInfo;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;

/**
 * {@code ./mmed demo}: starts the stack, submits the sample corpus and a few faulty submissions, shows the funnel
 * live until everything is accounted for, then has the train-coordinator train a round on the new shards, shows its
 * progress live until it ends, and prints the summary: the funnel, the round, its checkpoint, its loss at the first
 * and the last step. Then it waits for eval's evaluation of that checkpoint, prints it (accuracy per language, mean,
 * promoted or not and why), waits until inference serves the promoted version and asks it one question through
 * inference's {@code Answer}.
 */
final class DemoCommand implements Command {

    static final String ONCE = "--once";
    private static final Duration REFRESH = Duration.ofMillis(500);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);
    /** How long the train-coordinator may take to pool the shards tokenize announced. */
    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(120);
    /** How long the train-coordinator may not answer while a round runs before the demo gives up. */
    private static final Duration COORDINATOR_PATIENCE = Duration.ofSeconds(90);
    /** How long eval may take with the round's checkpoint (30 questions on two busy cores: about a minute). */
    private static final Duration EVAL_TIMEOUT = Duration.ofMinutes(20);
    /** How long inference may take to serve a promoted version (it loads it next to the serving one). */
    private static final Duration SERVING_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration ANSWER_DEADLINE = Duration.ofMinutes(2);

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

                Then eval evaluates the checkpoint on MMedBench (the embedded set of 30 questions, 5 per language):
                the demo shows its progress, then the evaluation: accuracy per language, the unweighted mean, and
                whether the checkpoint was promoted and why. Once inference serves the promoted version, the demo
                asks it one multiple-choice question through inference's gRPC Answer call (with the stack's token,
                $MMED_HOME/inference-token) and prints the chosen option and the model's output. A model trained
                for a few minutes on 300 documents answers mostly noise: the demo shows the path, not a good model.

                  --once   stop the stack and exit when the question is answered; without it the demo keeps running
                           and showing the funnel until Ctrl-C, which stops every process it started.

                A stack that was already running is left running either way. Exit status 1 when the round failed,
                its loss did not fall, or the evaluation or the answer did not come.
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
            Trained trained = train(stack, shards, terminal);
            int status = trained.status();
            if (status == 0) {
                status = evaluateAndAsk(stack, bootstrap, trained.round(), terminal);
            }
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

    /** What {@link #train} did: exit status, and the round (null when there was nothing new to train on). */
    private record Trained(int status, RoundInfo round) {
    }

    /**
     * Has the train-coordinator train a round on {@code shards} and follows it live: a round it already has them in,
     * else one planned now (after a live round of other shards, if one runs, has ended).
     *
     * @return status 0 when the round succeeded and its loss fell, else 1
     */
    private static Trained train(LocalStack stack, List<String> shards, Terminal terminal) {
        if (shards.isEmpty()) {
            // Every document was rejected or dropped: on a stack that has seen the sample corpus before, the
            // filter's deduplication drops it all. Nothing new to train on is not a failure of the demo.
            terminal.info("");
            terminal.info("training: no new shard, since no document of this demo was accepted (a corpus the stack"
                    + " has seen before is dropped as duplicates), so there is nothing new to train on. ./mmed rounds"
                    + " lists the earlier rounds; ./mmed down && rm -rf " + stack.config().home()
                    + " starts from nothing.");
            return new Trained(0, null);
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
            return new Trained(1, round);
        }
        if (!round.lossFell().orElse(false)) {
            terminal.info("the round's training loss did not fall: the model did not learn from the shards");
            return new Trained(1, round);
        }
        return new Trained(0, round);
    }

    /**
     * Waits for eval's evaluation of the round's checkpoint and prints it; then, once inference serves the
     * promoted version (or, when it was not promoted, whatever serves), asks it the demo's question. Without a new
     * round it asks the model that serves, if one does.
     *
     * @return 0 when the evaluation and the answer came, else 1
     */
    private static int evaluateAndAsk(LocalStack stack, String bootstrap, RoundInfo round, Terminal terminal)
            throws InterruptedException {
        String evalLog = stack.config().logFile(Service.EVAL.id()).toString();
        try (EvaluationReader reader = EvaluationReader.open(bootstrap);
             InferenceClient inference = InferenceClient.connect("localhost", stack.inferenceGrpcPort(),
                     stack.inferenceToken())) {
            Optional<ModelPromoted> promoted = Optional.empty();
            if (round != null && round.checkpointUri() != null) {
                terminal.info("");
                terminal.info("evaluation: eval evaluates the checkpoint on MMedBench (embedded set), then decides"
                        + " whether to promote it (progress in " + evalLog + ")");
                String checkpointId = round.checkpointId() != null ? round.checkpointId() : round.roundId();
                AtomicReference<String> live = new AtomicReference<>("waiting for eval");
                ServingDriver driver = new ServingDriver(reader, () -> stack.isRunning(Service.EVAL),
                        Duration.ofSeconds(1));
                Evaluation evaluation;
                try (LiveView view = LiveView.start(terminal, live::get, Duration.ofSeconds(10))) {
                    evaluation = driver.awaitEvaluation(round.checkpointUri(), checkpointId,
                            stack.config().evalReportsDir(), EVAL_TIMEOUT,
                            waited -> live.set(
                            "evaluating " + checkpointId + ": " + EvalProgress.latest(java.nio.file.Path.of(evalLog),
                                    checkpointId).map(p -> p + " questions answered")
                                    .orElse("loading the checkpoint") + " (" + Format.seconds(waited) + ")"));
                }
                terminal.out().println();
                terminal.out().println("evaluation");
                EvaluationTable.rows(evaluation).forEach(row -> terminal.out().println("  " + row));
                terminal.out().flush();
                promoted = evaluation.promotion();
            }
            ModelInfo serving;
            if (promoted.isPresent()) {
                String model = promoted.get().getModelName();
                String version = promoted.get().getModelVersion();
                terminal.info("waiting until inference (" + inference.target() + ") serves " + model + " version "
                        + version);
                serving = ServingDriver.awaitServing(inference, model, version, SERVING_TIMEOUT, Duration.ofSeconds(1));
            } else {
                try {
                    serving = inference.model(Duration.ofSeconds(10));
                } catch (InferenceClient.CallException e) {
                    terminal.info("no question asked: inference serves no model (" + e.getMessage() + ")");
                    return round == null ? 0 : 1;
                }
            }
            terminal.out().println();
            terminal.out().println("serving: " + EvaluationTable.serving(serving));
            terminal.out().println("question (" + DemoQuestion.LANGUAGE + ", through inference's Answer on "
                    + inference.target() + "): " + DemoQuestion.QUESTION);
            DemoQuestion.OPTIONS.forEach((k, v) -> terminal.out().println("  " + k + ". " + v));
            AnswerResponse answer = inference.answer(DemoQuestion.QUESTION, DemoQuestion.OPTIONS,
                    DemoQuestion.LANGUAGE, false, ANSWER_DEADLINE);
            EvaluationTable.answer(answer).forEach(terminal.out()::println);
            terminal.out().println("ask your own: ./mmed ask \"question\" --option A=... --option B=... [--lang French]");
            terminal.out().flush();
            return 0;
        } catch (CommandException e) {
            terminal.info("");
            terminal.info(e.getMessage() + "; eval's log: " + evalLog + ", inference's: "
                    + stack.config().logFile(Service.INFERENCE.id()) + ", the model server's: "
                    + stack.config().logFile(Service.MODEL_SERVER.id()));
            return 1;
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
