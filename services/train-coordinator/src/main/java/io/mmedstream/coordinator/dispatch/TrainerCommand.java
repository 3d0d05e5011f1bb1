package io.mmedstream.coordinator.dispatch;

import java.util.ArrayList;
import java.util.List;

import io.mmedstream.coordinator.domain.RoundPlan;

/**
 * The trainer's arguments for an attempt (services/trainer README, "Running a round"). Every attempt gets the same
 * ones, with {@code --resume}: the first starts from {@code --init} or {@code --config}, a later one continues from the
 * newest checkpoint in {@code --output} and ignores them.
 */
public final class TrainerCommand {

    /** The trainer's module: {@code python -m mmed_trainer}. */
    public static final String MODULE = "mmed_trainer";

    private TrainerCommand() {
    }

    /**
     * @param manifest the round manifest, as the trainer sees it
     * @param output the round's checkpoint directory, as the trainer sees it
     * @param init the parent checkpoint directory, or null
     * @param config the fresh model's config.json, or null (exactly one of init and config)
     * @param tokenizerDir the tokenizer files to copy into checkpoints, or null (the trainer then takes the one
     *        tokenize published beside the shards)
     */
    public static List<String> args(RoundPlan plan, String manifest, String output, String init, String config,
            String tokenizerDir) {
        if ((init == null) == (config == null)) {
            throw new IllegalArgumentException("exactly one of init and config for " + plan.roundId());
        }
        List<String> args = new ArrayList<>(List.of("--manifest", manifest, "--output", output, "--resume"));
        if (init != null) {
            args.add("--init");
            args.add(init);
        } else {
            args.add("--config");
            args.add(config);
        }
        if (tokenizerDir != null) {
            args.add("--tokenizer-dir");
            args.add(tokenizerDir);
        }
        args.addAll(plan.trainerArgs());
        return args;
    }
}
