package io.mmedstream.local.cli;

/** The command line was wrong: the CLI prints the message and the command's usage, and exits with 2. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
