package io.mmedstream.modelserver.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mmedstream.modelserver.service.ModelServerException;

/** The one place where failures become gRPC statuses. */
final class GrpcErrors {

    private GrpcErrors() {
    }

    static Status.Code code(ModelServerException.Reason reason) {
        return switch (reason) {
            case MODEL_NOT_FOUND -> Status.Code.NOT_FOUND;
            case MODEL_NOT_READY -> Status.Code.UNAVAILABLE;
            case INVALID_INPUT, BAD_MODEL -> Status.Code.INVALID_ARGUMENT;
            case UNSUPPORTED -> Status.Code.UNIMPLEMENTED;
            case OVERLOADED -> Status.Code.RESOURCE_EXHAUSTED;
            case CANCELLED -> Status.Code.CANCELLED;
            case INTERNAL -> Status.Code.INTERNAL;
        };
    }

    /** The status of any failure: ours by reason, anything else INTERNAL (a bug). */
    static StatusRuntimeException toStatus(Throwable failure) {
        if (failure instanceof ModelServerException e) {
            return Status.fromCode(code(e.reason())).withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof StatusRuntimeException s) {
            return s;
        }
        return Status.INTERNAL.withDescription(String.valueOf(failure)).withCause(failure).asRuntimeException();
    }

    /** Text for a stream's error_message (it has no status code, so the message carries the reason). */
    static String message(Throwable failure) {
        if (failure instanceof ModelServerException e) {
            return e.getMessage();
        }
        return "internal error: " + failure;
    }
}
