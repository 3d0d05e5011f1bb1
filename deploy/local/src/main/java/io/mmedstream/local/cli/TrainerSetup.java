package io.mmedstream.local.cli;

import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.stack.Service;
import io.mmedstream.local.stack.StackConfig;
import io.mmedstream.local.stack.TrainerPrerequisites;

/** What {@code up} and {@code demo} do before starting the stack: make sure the trainer can run. */
final class TrainerSetup {

    private TrainerSetup() {
    }

    /**
     * The stack's configuration with the trainer's interpreter, found or installed ({@link TrainerPrerequisites}).
     * A running train-coordinator keeps the interpreter it started with, so then nothing is checked.
     *
     * @throws CommandException when there is no interpreter with PyTorch and it cannot be installed here
     */
    static StackConfig prepare(CliContext context) {
        StackConfig config = context.config();
        if (new LocalStack(config, s -> { }).isRunning(Service.TRAIN_COORDINATOR)) {
            return config;
        }
        String python = new TrainerPrerequisites(TrainerPrerequisites.system(), context.terminal()::info)
                .ensure(config.trainerPython());
        return config.withTrainerPython(python);
    }
}
