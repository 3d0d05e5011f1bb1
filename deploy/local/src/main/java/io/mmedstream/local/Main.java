package io.mmedstream.local;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mmedstream.local.cli.Arguments;
import io.mmedstream.local.cli.CliContext;
import io.mmedstream.local.cli.Command;
import io.mmedstream.local.cli.CommandException;
import io.mmedstream.local.cli.Commands;
import io.mmedstream.local.cli.Terminal;
import io.mmedstream.local.cli.UsageException;
import io.mmedstream.local.stack.StackConfig;

/**
 * The local stack's command line, run by {@code ./mmed}: {@code demo}, {@code up}, {@code down}, {@code status},
 * {@code rounds}, {@code submit}, {@code bench}. Exit status 0 when the command did its job, 1 when it could not, 2
 * for a wrong command line. Set {@code MMED_DEBUG=1} for stack traces.
 */
public final class Main {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        QuietLogging.install();
        System.exit(run(args, System.getenv(), Terminal.system()));
    }

    /** Runs one command line and returns its exit status. */
    public static int run(String[] args, Map<String, String> env, Terminal terminal) {
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Command c : Commands.all()) {
            commands.put(c.name(), c);
        }
        PrintStream err = terminal.err();
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : terminal.out()).print(overview(commands));
            return args.length == 0 ? USAGE : OK;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("mmed: unknown command '" + args[0] + "'");
            err.print(overview(commands));
            return USAGE;
        }
        boolean debug = "1".equals(env.get("MMED_DEBUG"));
        try {
            Arguments parsed = Arguments.parse(Arrays.asList(args).subList(1, args.length), command.flags(),
                    command.options());
            if (parsed.flag(Arguments.HELP)) {
                terminal.out().print(command.help());
                return OK;
            }
            return command.run(parsed, new CliContext(StackConfig.fromEnvironment(env), terminal));
        } catch (UsageException e) {
            err.println("mmed " + command.name() + ": " + e.getMessage());
            err.println();
            err.print(command.help());
            return USAGE;
        } catch (CommandException e) {
            err.println("mmed " + command.name() + ": " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return FAILED;
        } catch (Exception e) {
            err.println("mmed " + command.name() + ": unexpected error: " + e);
            if (debug) {
                e.printStackTrace(err);
            } else {
                err.println("(MMED_DEBUG=1 shows the stack trace)");
            }
            return FAILED;
        }
    }

    private static String overview(Map<String, Command> commands) {
        StringBuilder sb = new StringBuilder("usage: ./mmed <command> [options]   (each command takes --help)\n\n");
        commands.values().forEach(c -> sb.append(String.format("  %-8s %s%n", c.name(), c.summary())));
        return sb.toString();
    }
}
