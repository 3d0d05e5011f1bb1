package io.mmedstream.local.cli;

import java.util.List;

import io.mmedstream.local.stack.LocalStack;

/** {@code ./mmed down}: stops everything {@code up} started. */
final class DownCommand implements Command {

    @Override
    public String name() {
        return "down";
    }

    @Override
    public String summary() {
        return "stop everything that `up` started";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed down

                Stops the services (SIGTERM; SIGKILL after 30 s), then the broker, and removes their pid files.
                Running it when nothing runs is fine. Logs and shards in $MMED_HOME stay.
                """;
    }

    @Override
    public int run(Arguments args, CliContext context) {
        args.expectPositionals(0, 0, "");
        List<String> stopped = new LocalStack(context.config(), context.terminal()::info).down();
        context.terminal().info(stopped.isEmpty() ? "nothing was running" : "stopped " + String.join(", ", stopped));
        return 0;
    }
}
