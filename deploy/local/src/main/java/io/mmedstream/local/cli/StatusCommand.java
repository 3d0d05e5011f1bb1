package io.mmedstream.local.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.mmedstream.local.funnel.FunnelCounts;
import io.mmedstream.local.funnel.FunnelReader;
import io.mmedstream.local.funnel.FunnelTable;
import io.mmedstream.local.stack.BrokerCheck;
import io.mmedstream.local.stack.HealthProbe;
import io.mmedstream.local.rounds.CoordinatorClient;
import io.mmedstream.local.rounds.PoolInfo;
import io.mmedstream.local.rounds.RoundInfo;
import io.mmedstream.local.rounds.RoundTable;
import io.mmedstream.local.serving.EvalFailure;
import io.mmedstream.local.serving.Evaluation;
import io.mmedstream.local.serving.EvaluationReader;
import io.mmedstream.local.serving.EvaluationTable;
import io.mmedstream.local.serving.InferenceClient;
import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.stack.Service;

/**
 * {@code ./mmed status}: the processes' health, the funnel counts, the training rounds, the evaluations and the
 * serving model.
 */
final class StatusCommand implements Command {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** Evaluations listed one per line under the latest one. */
    private static final int EARLIER_EVALUATIONS = 5;

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "the processes' health, the funnel, the training rounds, the evaluations and the serving model";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed status [--bootstrap HOST:PORT]

                Shows each process of the local stack with its health, then the funnel as the topics tell it
                (read with read_committed consumers, so only committed output counts): submitted, rejected by
                reason, ingested, dropped by reason, accepted, documents in shards, shards written, tokens per
                language. Then the training rounds, from the train-coordinator's admin API: how many there are in
                each state, the latest one's progress (step, loss at the first and the latest step, tokens/s) and
                the shards waiting for a round. Then the evaluations eval published (mmed.eval.results.v1): the
                latest one in full (accuracy per language, the unweighted mean, whether it was promoted and why),
                the ones before it in a line each, and the checkpoints eval gave up on (failure.json in their
                report directory: a backend that kept refusing to load them); and the model inference serves (its GetModel: name, version,
                checkpoint, mean accuracy). Exits with 1 when Kafka cannot be reached.

                """ + BootstrapAddress.HELP;
    }

    @Override
    public Set<String> options() {
        return Set.of(BootstrapAddress.OPTION);
    }

    @Override
    public int run(Arguments args, CliContext context) {
        args.expectPositionals(0, 0, "");
        var out = context.terminal().out();
        LocalStack stack = new LocalStack(context.config(), s -> { });
        out.println("processes");
        for (LocalStack.Component c : stack.components()) {
            String health = c.pid().isEmpty() ? "not running"
                    : c.health().state() == HealthProbe.State.UP ? "UP"
                    : c.health().state() + (c.health().detail().isEmpty() ? "" : " (" + c.health().detail() + ")");
            out.println(String.format(Locale.ROOT, "  %-17s %-11s %-33s %s", c.name(),
                    c.pid().map(p -> "pid " + p).orElse("-"), c.address(), health));
        }
        String bootstrap = BootstrapAddress.resolve(args, context);
        out.println();
        out.flush();
        BrokerCheck.require(bootstrap);
        out.println("funnel (kafka " + bootstrap + ")");
        FunnelCounts counts;
        try (FunnelReader reader = FunnelReader.open(bootstrap)) {
            counts = reader.catchUp(READ_TIMEOUT);
        }
        for (String row : FunnelTable.rows(counts)) {
            out.println("  " + row);
        }
        if (!counts.drained()) {
            out.println();
            out.println("  still in flight at " + counts.pendingStage());
        }
        out.println();
        CoordinatorClient coordinator = CoordinatorClient.local(stack.port(Service.TRAIN_COORDINATOR));
        out.println("rounds (train-coordinator " + coordinator.base() + ")");
        roundRows(coordinator).forEach(row -> out.println("  " + row));
        out.println();
        out.println("evaluations (eval, reports in " + context.config().evalReportsDir() + ")");
        evaluationRows(bootstrap, context.config().evalReportsDir()).forEach(row -> out.println("  " + row));
        out.println();
        out.println("serving (inference gRPC localhost:" + stack.inferenceGrpcPort() + ")");
        out.println("  " + servingRow(stack));
        return 0;
    }

    /**
     * The latest evaluation in full, a line for each of the few before it, and the checkpoints eval gave up on (and
     * has not evaluated since).
     */
    static List<String> evaluationRows(String bootstrap, java.nio.file.Path reports) {
        List<Evaluation> all;
        try (EvaluationReader reader = EvaluationReader.open(bootstrap)) {
            all = reader.catchUp(READ_TIMEOUT);
        }
        List<String> rows = new ArrayList<>();
        java.util.Set<String> evaluated = new java.util.HashSet<>();
        all.forEach(e -> evaluated.add(e.checkpointId()));
        List<String> failures = EvalFailure.readAll(reports).stream().filter(f -> !evaluated.contains(f.checkpoint()))
                .map(EvalFailure::line).toList();
        if (all.isEmpty()) {
            rows.add("none yet: eval evaluates each checkpoint a round announces");
            failures.forEach(rows::add);
            return rows;
        }
        rows.addAll(EvaluationTable.rows(all.get(all.size() - 1)));
        List<Evaluation> earlier = all.subList(Math.max(0, all.size() - 1 - EARLIER_EVALUATIONS), all.size() - 1);
        if (!earlier.isEmpty()) {
            rows.add("earlier" + (all.size() - 1 > earlier.size() ? " (latest " + earlier.size() + " of "
                    + (all.size() - 1) + ")" : "") + ":");
            for (int i = earlier.size() - 1; i >= 0; i--) {
                rows.add("  " + EvaluationTable.line(earlier.get(i)));
            }
        }
        failures.forEach(rows::add);
        return rows;
    }

    /** What inference serves, or why that is not known. */
    static String servingRow(LocalStack stack) {
        if (!stack.isRunning(Service.INFERENCE)) {
            return "inference is not running";
        }
        try (InferenceClient client = InferenceClient.connect("localhost", stack.inferenceGrpcPort(),
                stack.inferenceToken())) {
            return EvaluationTable.serving(client.model(Duration.ofSeconds(5)));
        } catch (InferenceClient.CallException e) {
            return e.code() == io.grpc.Status.Code.UNAVAILABLE
                    ? "no model yet (" + e.getMessage() + ")" : e.getMessage();
        }
    }

    /** The rounds by state, the latest one's progress and the pool; why not, when the coordinator does not answer. */
    static List<String> roundRows(CoordinatorClient coordinator) {
        List<String> rows = new ArrayList<>();
        try {
            List<RoundInfo> rounds = coordinator.rounds();
            rows.add(RoundTable.stateCounts(rounds));
            if (!rounds.isEmpty()) {
                RoundInfo latest = rounds.get(0);
                rows.add("latest: " + RoundTable.progress(latest));
                latest.checkpointLocation().ifPresent(c -> rows.add("        checkpoint " + c));
            }
            PoolInfo pool = coordinator.pool();
            rows.add("pool: " + pool.waiting().size() + (pool.waiting().size() == 1 ? " shard" : " shards") + " ("
                    + Format.count(pool.waitingTokens()) + " tokens) waiting for a round"
                    + (pool.aside().isEmpty() ? "" : ", " + pool.aside().size() + " kept aside"));
        } catch (CommandException e) {
            rows.add(e.getMessage());
        }
        return rows;
    }
}
