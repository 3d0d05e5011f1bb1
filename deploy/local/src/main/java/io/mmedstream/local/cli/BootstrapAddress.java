package io.mmedstream.local.cli;

import io.mmedstream.local.stack.LocalStack;

/** Where the commands find Kafka: {@code --bootstrap}, else the running local stack, else {@code localhost:$KAFKA_PORT}. */
final class BootstrapAddress {

    static final String OPTION = "--bootstrap";
    static final String HELP = "  --bootstrap HOST:PORT  Kafka to use (default: the running local stack, else"
            + " localhost:$KAFKA_PORT)\n";

    private BootstrapAddress() {
    }

    static String resolve(Arguments args, CliContext context) {
        return args.option(OPTION).filter(s -> !s.isBlank())
                .or(() -> new LocalStack(context.config(), s -> { }).runningBootstrap())
                .orElse("localhost:" + context.config().kafkaPort());
    }
}
