package io.mmedstream.local.cli;

import java.util.List;

/** Every command of the CLI, in the order {@code --help} lists them. */
public final class Commands {

    private Commands() {
    }

    public static List<Command> all() {
        return List.of(new DemoCommand(), new UpCommand(), new DownCommand(), new StatusCommand(),
                new RoundsCommand(), new SubmitCommand(), new BenchCommand());
    }
}
