package io.mmedstream.inference.service;

import java.util.Objects;

/**
 * Every failure the inference service reports, with the reason that decides its gRPC status (mapped once, in
 * {@code io.mmedstream.inference.api.GrpcErrors}).
 */
public final class InferenceException extends RuntimeException {

    /** Why a request failed. */
    public enum Reason {
        /** A request field is wrong; the message starts with the field name. gRPC INVALID_ARGUMENT. */
        INVALID_ARGUMENT,
        /** No model is ready, or the backend cannot serve. gRPC UNAVAILABLE. */
        NO_MODEL,
        /** The concurrency limit is reached. gRPC RESOURCE_EXHAUSTED. */
        OVERLOADED,
        /** A promotion could not load or ready the new version; the old one keeps serving. gRPC FAILED_PRECONDITION. */
        PROMOTION_FAILED,
        /** The backend failed the call; its gRPC code is passed on. */
        BACKEND
    }

    private final Reason reason;
    private final io.grpc.Status.Code backendCode;

    public InferenceException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public InferenceException(Reason reason, String message, io.grpc.Status.Code backendCode, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
        this.backendCode = backendCode;
    }

    /** A wrong request field. */
    public static InferenceException invalid(String field, String problem) {
        return new InferenceException(Reason.INVALID_ARGUMENT, field + ": " + problem);
    }

    public Reason reason() {
        return reason;
    }

    /** The backend's status code for {@link Reason#BACKEND}, null otherwise. */
    public io.grpc.Status.Code backendCode() {
        return backendCode;
    }
}
