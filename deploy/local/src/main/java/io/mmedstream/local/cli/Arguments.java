package io.mmedstream.local.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's parsed arguments: boolean flags ({@code --once}), options with a value ({@code --corpus PATH} or
 * {@code --corpus=PATH}) and positional arguments. {@code --help} and {@code -h} are flags of every command;
 * {@code --} ends the options.
 */
public final class Arguments {

    /** The flag every command accepts. */
    public static final String HELP = "--help";

    private final Set<String> flags;
    private final Map<String, String> options;
    private final List<String> positionals;

    private Arguments(Set<String> flags, Map<String, String> options, List<String> positionals) {
        this.flags = flags;
        this.options = options;
        this.positionals = positionals;
    }

    /**
     * Parses {@code args} against what the command accepts.
     *
     * @throws UsageException on an unknown option, a missing option value, or an option given twice
     */
    public static Arguments parse(List<String> args, Set<String> knownFlags, Set<String> knownOptions) {
        Set<String> flags = new HashSet<>();
        Map<String, String> options = new HashMap<>();
        List<String> positionals = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                positionals.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (arg.equals("-h") || arg.equals(HELP)) {
                flags.add(HELP);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (knownFlags.contains(name)) {
                if (eq > 0) {
                    throw new UsageException(name + " takes no value");
                }
                flags.add(name);
            } else if (knownOptions.contains(name)) {
                String value;
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(name + " needs a value");
                }
                if (options.putIfAbsent(name, value) != null) {
                    throw new UsageException(name + " is given twice");
                }
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return new Arguments(Set.copyOf(flags), Map.copyOf(options), List.copyOf(positionals));
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** An option's value as a positive integer. */
    public Optional<Integer> positiveInt(String name) {
        return option(name).map(v -> {
            try {
                int n = Integer.parseInt(v.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(name + " must be a positive whole number, not '" + v + "'");
        });
    }

    public List<String> positionals() {
        return positionals;
    }

    /** Fails unless there are between {@code min} and {@code max} positional arguments. */
    public Arguments expectPositionals(int min, int max, String what) {
        if (positionals.size() < min) {
            throw new UsageException("missing " + what);
        }
        if (positionals.size() > max) {
            throw new UsageException("unexpected argument '" + positionals.get(max) + "'");
        }
        return this;
    }
}
