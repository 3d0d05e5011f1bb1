package io.mmedstream.triton.client;

import java.util.Locale;

import io.grpc.Status;

/**
 * A failed call to a Triton (KServe v2) server, with the gRPC status code that says what to do about it:
 * NOT_FOUND (no such model), UNAVAILABLE (model not loaded, or server unreachable: retry or load it),
 * INVALID_ARGUMENT (the request is wrong), RESOURCE_EXHAUSTED (busy: retry later), DEADLINE_EXCEEDED, CANCELLED.
 */
public final class TritonException extends RuntimeException {

    private final Status.Code code;

    public TritonException(Status.Code code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public Status.Code code() {
        return code;
    }

    /** From a failed RPC. */
    static TritonException fromStatus(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        String description = status.getDescription() != null ? status.getDescription() : String.valueOf(failure);
        return new TritonException(status.getCode(), description, failure);
    }

    /**
     * From the {@code error_message} of a ModelStreamInfer response, which carries no status code: the code is read
     * from the wording Triton and this project's model server use, best effort, UNKNOWN otherwise.
     */
    static TritonException fromStreamError(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        Status.Code code;
        if (m.contains("unknown model") || m.contains("is not found")) {
            code = Status.Code.NOT_FOUND;
        } else if (m.contains("not ready") || m.contains("unavailable") || m.contains("no available version")) {
            code = Status.Code.UNAVAILABLE;
        } else if (m.contains("busy") || m.contains("exhausted")) {
            code = Status.Code.RESOURCE_EXHAUSTED;
        } else if (m.contains("cancel")) {
            code = Status.Code.CANCELLED;
        } else if (m.contains("input") || m.contains("sampling_parameters") || m.contains("output")
                || m.contains("not allowed") || m.contains("invalid") || m.contains("expected")) {
            code = Status.Code.INVALID_ARGUMENT;
        } else {
            code = Status.Code.UNKNOWN;
        }
        return new TritonException(code, message, null);
    }
}
