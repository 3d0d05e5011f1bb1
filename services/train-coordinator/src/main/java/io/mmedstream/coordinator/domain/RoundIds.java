package io.mmedstream.coordinator.domain;

/** Round and checkpoint ids: {@code round-000007}, {@code round-000007-step-1200}. */
public final class RoundIds {

    private static final String PREFIX = "round-";

    private RoundIds() {
    }

    /** The id of round number {@code n}. */
    public static String of(long n) {
        return String.format("%s%06d", PREFIX, n);
    }

    /** The number of a round id; -1 when it is not one of ours. */
    public static long number(String roundId) {
        if (roundId == null || !roundId.startsWith(PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(roundId.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The id of the checkpoint a round announces. */
    public static String checkpointId(String roundId, int step) {
        return roundId + "-step-" + step;
    }
}
