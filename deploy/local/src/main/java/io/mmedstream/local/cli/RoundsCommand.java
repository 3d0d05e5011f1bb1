package io.mmedstream.local.cli;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mmedstream.local.rounds.CoordinatorClient;
import io.mmedstream.local.rounds.RoundInfo;
import io.mmedstream.local.rounds.RoundTable;
import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.stack.Service;

/** {@code ./mmed rounds}: the training rounds, from the train-coordinator's admin API. */
final class RoundsCommand implements Command {

    static final String JSON_FLAG = "--json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String name() {
        return "rounds";
    }

    @Override
    public String summary() {
        return "the training rounds: state, step, loss first -> last, tokens, checkpoint";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed rounds [--json]

                Lists the training rounds of the running stack's train-coordinator, newest first: the round, its
                state (PLANNED, DISPATCHED, RUNNING, SUCCEEDED, FAILED, CANCELLED; the attempt when it was
                retried), step/steps, the training loss at its first and its latest step, tokens trained on of the
                tokens in its shards, and its checkpoint directory (or why it failed). Exits with 1 when the
                coordinator does not answer (the stack is not up: ./mmed up starts it).

                  --json   the rounds exactly as the coordinator's GET /rounds returns them (snake_case fields:
                           round_id, state, attempt, step, total_steps, first_loss, loss, tokens_per_second,
                           tokens_seen, token_count, checkpoint_uri, failure_reason, ...)

                The coordinator is http://localhost:$MMED_TRAIN_COORDINATOR_PORT (8084), or the port the running
                stack was started with.
                """;
    }

    @Override
    public Set<String> flags() {
        return Set.of(JSON_FLAG);
    }

    @Override
    public int run(Arguments args, CliContext context) throws Exception {
        args.expectPositionals(0, 0, "");
        LocalStack stack = new LocalStack(context.config(), s -> { });
        CoordinatorClient coordinator = CoordinatorClient.local(stack.port(Service.TRAIN_COORDINATOR));
        var out = context.terminal().out();
        try {
            if (args.flag(JSON_FLAG)) {
                out.println(JSON.writeValueAsString(coordinator.roundsJson()));
                return 0;
            }
            List<RoundInfo> rounds = coordinator.rounds();
            if (rounds.isEmpty()) {
                out.println("no rounds yet");
            } else {
                RoundTable.rows(rounds).forEach(out::println);
            }
            return 0;
        } catch (CoordinatorClient.UnavailableException e) {
            if (!stack.isRunning(Service.TRAIN_COORDINATOR)) {
                throw new CommandException("the stack is not up: the train-coordinator is not running (./mmed up"
                        + " starts it)", e);
            }
            throw new CommandException(e.getMessage() + ". It runs, but may still be starting: see "
                    + context.config().logFile(Service.TRAIN_COORDINATOR.id()), e);
        }
    }
}
