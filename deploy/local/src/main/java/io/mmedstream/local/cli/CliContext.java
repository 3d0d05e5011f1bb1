package io.mmedstream.local.cli;

import io.mmedstream.local.stack.StackConfig;

/** What every command works with: the stack's configuration (from the environment) and the terminal. */
public record CliContext(StackConfig config, Terminal terminal) {
}
