package io.mmedstream.local.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import io.mmedstream.local.funnel.FunnelCounts;
import io.mmedstream.local.funnel.FunnelReader;
import io.mmedstream.local.funnel.FunnelTable;
import io.mmedstream.local.stack.BrokerCheck;
import io.mmedstream.local.stack.HealthProbe;
import io.mmedstream.local.stack.LocalStack;

/** {@code ./mmed status}: the processes' health and the funnel counts. */
final class StatusCommand implements Command {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "the processes' health and the funnel: submitted, ingested, rejected, accepted, dropped, shards";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed status [--bootstrap HOST:PORT]

                Shows each process of the local stack with its health, then the funnel as the topics tell it
                (read with read_committed consumers, so only committed output counts): submitted, rejected by
                reason, ingested, dropped by reason, accepted, documents in shards, shards written, tokens per
                language. Exits with 1 when Kafka cannot be reached.

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
            out.println(String.format(Locale.ROOT, "  %-9s %-11s %-24s %s", c.name(),
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
        return 0;
    }
}
