package io.mmedstream.local.cli;

/**
 * A command could not do its job for a reason the user can act on (broker unreachable, port taken, file missing):
 * the CLI prints the message, without a stack trace, and exits with 1.
 */
public class CommandException extends RuntimeException {

    public CommandException(String message) {
        super(message);
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
