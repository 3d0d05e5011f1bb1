package io.mmedstream.coordinator.domain;

/** Why a round was planned. */
public enum Trigger {
    /** The pool held at least the configured number of new tokens. */
    THRESHOLD("threshold"),
    /** The oldest pooled shard waited the maximum time and the pool held at least the minimum. */
    MAX_WAIT("max_wait"),
    /** An operator asked for a round now (admin API). */
    MANUAL("manual");

    private final String code;

    Trigger(String code) {
        this.code = code;
    }

    /** The code written to the round record. */
    public String code() {
        return code;
    }

    /** The trigger with that code. */
    public static Trigger ofCode(String code) {
        for (Trigger t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown trigger: " + code);
    }
}
