package io.mmedstream.coordinator.service;

import java.util.Map;

import io.mmedstream.coordinator.domain.Failure;

/** How an attempt of a round ended. */
public sealed interface AttemptOutcome {

    /**
     * The trainer finished the round.
     *
     * @param checkpointUri the final checkpoint
     * @param step its step
     * @param firstLoss loss of the round's first step, when known
     * @param finalLoss loss of the last step, when known
     * @param tokensSeen real tokens trained on in the round
     * @param tokensPerLang the same per language
     */
    record Succeeded(String checkpointUri, int step, Double firstLoss, Double finalLoss, long tokensSeen,
            Map<String, Long> tokensPerLang) implements AttemptOutcome {

        public Succeeded {
            tokensPerLang = Map.copyOf(tokensPerLang);
        }
    }

    /** The attempt failed. */
    record Failed(Failure failure) implements AttemptOutcome {
    }

    /** Exit codes of the trainer (services/trainer README, "Exit codes"). */
    final class ExitCodes {
        /** Trained. */
        public static final int OK = 0;
        /** EX_USAGE: bad command line. */
        public static final int USAGE = 64;
        /** EX_DATAERR: permanent failure (bad manifest, data, config, checkpoint; non-finite loss). */
        public static final int PERMANENT = 65;
        /** EX_SOFTWARE: a defect of the trainer. */
        public static final int INTERNAL = 70;
        /** EX_TEMPFAIL: retriable (interrupted, I/O, out of memory, distributed failure). */
        public static final int RETRIABLE = 75;

        private ExitCodes() {
        }

        /**
         * Whether another attempt with the same arguments may succeed after exit {@code code}: 75, and anything the
         * trainer did not choose itself (killed by a signal, the OOM killer, a torchrun launcher's 1), are;
         * 64, 65 and 70 are not.
         */
        public static boolean retriable(int code) {
            return code != USAGE && code != PERMANENT && code != INTERNAL;
        }
    }
}
