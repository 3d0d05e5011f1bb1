package io.mmedstream.local.cli;

import io.mmedstream.local.stack.LocalStack;

/** {@code ./mmed up}: starts the stack in the background and prints the Kafka address. */
final class UpCommand implements Command {

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "start the broker and the services in the background; prints \"kafka: HOST:PORT\"";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed up

                Starts a Kafka broker and the ingest, filter, tokenize, train-coordinator, model-server, eval and
                inference services as background processes (the services all at once, once the broker is up),
                waits until every service reports ready (/q/health/ready; inference: live, since it is ready only
                once a checkpoint has been promoted), and prints the broker's address on a line of its own:
                "kafka: HOST:PORT". Whatever is already running is left as it is.

                eval and the model server share the model repository $MMED_HOME/model-repository (eval adds every
                checkpoint to model mmed-llm as a new version); eval's reports go to $MMED_HOME/eval-reports.
                inference's gRPC API (port 9000) needs a bearer token: up creates one, once, in
                $MMED_HOME/inference-token (readable by you only), which ./mmed ask and the demo use.

                Before it starts the train-coordinator it checks that the trainer can run: a Python 3 that imports
                torch and numpy ($MMED_PYTHON, else the first of python3, /usr/bin/python3). When there is none, it
                installs python3-torch python3-numpy libopenblas0-pthread with apt-get if it runs as root on Debian
                or Ubuntu, and otherwise stops with the command to run.

                Logs go to $MMED_HOME/logs/<name>.log, pid files to $MMED_HOME/run/, shards to $MMED_HOME/shards/,
                rounds to $MMED_HOME/rounds/, checkpoints to $MMED_HOME/checkpoints/, the model repository to
                $MMED_HOME/model-repository/, evaluation reports to $MMED_HOME/eval-reports/.

                Environment: MMED_HOME (default ./.mmed), KAFKA_PORT (9092), MMED_INGEST_PORT (8081),
                MMED_FILTER_PORT (8082), MMED_TOKENIZE_PORT (8083), MMED_TRAIN_COORDINATOR_PORT (8084),
                MMED_MODEL_SERVER_PORT (8001, its gRPC and HTTP), MMED_EVAL_PORT (8086), MMED_INFERENCE_PORT
                (8085), MMED_INFERENCE_GRPC_PORT (9000), MMED_READY_TIMEOUT_S (180), MMED_SERVICE_JAVA_OPTS (extra
                JVM options for the services), MMED_TOPIC_PARTITIONS (3), MMED_PYTHON (the trainer's interpreter),
                MMED_COORDINATOR_* (the train-coordinator's settings, e.g. MMED_COORDINATOR_TRAINING_MAX_STEPS=80),
                MMED_EVAL_* (eval's settings, e.g. MMED_EVAL_BACKEND_MAX_TOKENS=32, the local default).
                """;
    }

    @Override
    public int run(Arguments args, CliContext context) {
        args.expectPositionals(0, 0, "");
        LocalStack stack = new LocalStack(TrainerSetup.prepare(context), context.terminal()::info);
        LocalStack.UpResult result = stack.up();
        if (result.alreadyUp()) {
            context.terminal().info("the stack is already up");
        }
        context.terminal().out().println("kafka: " + result.bootstrap());
        return 0;
    }
}
