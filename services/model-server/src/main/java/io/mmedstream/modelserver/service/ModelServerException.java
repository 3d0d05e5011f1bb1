package io.mmedstream.modelserver.service;

/**
 * The one failure type of the model server. The reason decides the gRPC status it maps to (in one place,
 * {@code api.GrpcErrors}) and whether a caller may retry.
 */
public final class ModelServerException extends RuntimeException {

    /** Why a request or a model load failed. */
    public enum Reason {
        /** The repository has no model of that name. */
        MODEL_NOT_FOUND,
        /** The model (or the version asked for) is not loaded, or is being unloaded. */
        MODEL_NOT_READY,
        /** A request that can never succeed as sent: bad tensor, bad datatype or shape, bad sampling parameters. */
        INVALID_INPUT,
        /** The model's config.pbtxt, the override config, or its checkpoint cannot be served. */
        BAD_MODEL,
        /** The request asks for something this server does not do (e.g. ModelInfer on a decoupled model). */
        UNSUPPORTED,
        /** Every generation slot and queue place is taken; retry later. */
        OVERLOADED,
        /** The caller cancelled the request or its deadline passed. */
        CANCELLED,
        /** A bug or an unexpected I/O failure. */
        INTERNAL
    }

    private final Reason reason;

    public ModelServerException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ModelServerException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Shorthand for a bad request; the message must name the tensor or parameter. */
    public static ModelServerException invalid(String message) {
        return new ModelServerException(Reason.INVALID_INPUT, message);
    }

    /** Shorthand for a checkpoint or configuration that cannot be served. */
    public static ModelServerException badModel(String message) {
        return new ModelServerException(Reason.BAD_MODEL, message);
    }

    public static ModelServerException badModel(String message, Throwable cause) {
        return new ModelServerException(Reason.BAD_MODEL, message, cause);
    }
}
