package io.mmedstream.local.cli;

import java.util.Set;

/** One {@code ./mmed} subcommand. */
public interface Command {

    /** The word the user types. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full text {@code --help} prints: synopsis, what it does, options, environment. */
    String help();

    /** Flags (no value) the command accepts, besides {@code --help}. */
    default Set<String> flags() {
        return Set.of();
    }

    /** Options taking a value. */
    default Set<String> options() {
        return Set.of();
    }

    /**
     * Runs the command.
     *
     * @return the exit status: 0 when it did its job
     * @throws UsageException when the arguments are wrong (exit 2)
     * @throws CommandException when it cannot do its job for a reason the user can act on (exit 1)
     */
    int run(Arguments args, CliContext context) throws Exception;
}
