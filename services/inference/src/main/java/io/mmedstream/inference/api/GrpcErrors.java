package io.mmedstream.inference.api;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mmedstream.inference.service.InferenceException;

/** The one place where failures become gRPC statuses. */
public final class GrpcErrors {

    private GrpcErrors() {
    }

    /** The status a client sees for a failure. */
    public static StatusRuntimeException toStatus(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (t instanceof CancellationException) {
            return Status.CANCELLED.withDescription("cancelled").asRuntimeException();
        }
        if (t instanceof InferenceException e) {
            Status status = switch (e.reason()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case NO_MODEL -> Status.UNAVAILABLE;
                case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
                case PROMOTION_FAILED -> Status.FAILED_PRECONDITION;
                case BACKEND -> backend(e.backendCode());
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t).asRuntimeException();
    }

    /**
     * A backend failure as the client should see it: the backend's "model not loaded / not found" mean this service
     * has no model to offer (UNAVAILABLE); a request the backend found wrong that passed our validation is our
     * fault (INTERNAL); the rest pass through.
     */
    private static Status backend(Status.Code code) {
        if (code == null) {
            return Status.INTERNAL;
        }
        return switch (code) {
            case NOT_FOUND, UNAVAILABLE -> Status.UNAVAILABLE;
            case INVALID_ARGUMENT, UNIMPLEMENTED, UNKNOWN -> Status.INTERNAL;
            default -> Status.fromCode(code);
        };
    }
}
