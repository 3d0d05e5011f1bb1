package io.mmedstream.inference.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import io.grpc.Context;
import io.mmedstream.inference.domain.Completion;
import io.mmedstream.inference.domain.GenerationSpec;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.triton.client.GenerationResult;
import io.mmedstream.triton.client.SamplingParams;
import io.mmedstream.triton.client.TritonClient;
import io.mmedstream.triton.client.TritonException;

/**
 * Runs generations on the serving model through the Triton client: takes a concurrency slot (or fails with
 * OVERLOADED), a lease on the serving version (or fails with NO_MODEL), streams through ModelStreamInfer, and gives
 * both back when the generation ends, however it ends. Cancelling a {@link Running} cancels the backend call.
 */
public final class GenerationService {

    private final TritonClient client;
    private final ModelRouter router;
    private final ConcurrencyLimiter limiter;

    public GenerationService(TritonClient client, ModelRouter router, ConcurrencyLimiter limiter) {
        this.client = client;
        this.router = router;
        this.limiter = limiter;
    }

    /** A generation under way. */
    public static final class Running {
        private final CompletableFuture<GenerationResult> call;
        private final CompletableFuture<Completion> result;

        Running(CompletableFuture<GenerationResult> call, CompletableFuture<Completion> result) {
            this.call = call;
            this.result = result;
        }

        /** Completes with the whole generation, or with an {@link InferenceException}. */
        public CompletableFuture<Completion> result() {
            return result;
        }

        /** Stops the generation on the backend (the result then fails). */
        public void cancel() {
            call.cancel(true);
        }
    }

    /**
     * Starts a generation; {@code onChunk} gets each piece of text as it arrives, on a gRPC thread, in order.
     *
     * @throws InferenceException OVERLOADED or NO_MODEL, before anything is sent
     */
    public Running start(GenerationSpec spec, Consumer<String> onChunk) {
        limiter.acquire();
        ModelRouter.Lease lease;
        try {
            lease = router.lease();
        } catch (RuntimeException e) {
            limiter.release();
            throw e;
        }
        ServingModel model = lease.model();
        SamplingParams params = new SamplingParams(spec.maxTokens(), spec.temperature(), spec.topP(), null,
                spec.seed(), spec.stop());
        CompletableFuture<GenerationResult> call;
        try {
            // Not in the caller's gRPC context: grpc-java cancels a server call's context as soon as the call
            // completes, and a client call started in it is cancelled with it. Generate completes on the backend's
            // final response, just before the backend's trailers, so every backend call would be reset
            // (RST_STREAM CANCEL) while the backend is ending it. That costs the backend work for nothing, and a
            // Vert.x-based backend that writes its trailers after the reset closes the whole shared connection
            // (GOAWAY PROTOCOL_ERROR "Request stream N is not correct for server connection": the model server did,
            // see its README), failing every other call on it. The forked context keeps the values but not the
            // cancellation: the backend call ends on its own, and a client's cancellation or passed deadline
            // reaches it through Running.cancel() (the API call's cancel handler) only.
            call = Context.current().fork().call(() -> client.generate(model.name(), model.version(), spec.prompt(),
                    params, onChunk));
        } catch (Exception e) {
            lease.close();
            limiter.release();
            throw backendFailure(e);
        }
        CompletableFuture<Completion> result = call.handle((r, failure) -> {
            lease.close();
            limiter.release();
            if (failure != null) {
                throw backendFailure(failure);
            }
            return new Completion(r.text(), model, r.promptTokens(), r.completionTokens(), r.finishReason());
        });
        return new Running(call, result);
    }

    private static InferenceException backendFailure(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (t instanceof InferenceException ie) {
            return ie;
        }
        if (t instanceof java.util.concurrent.CancellationException) {
            return new InferenceException(InferenceException.Reason.BACKEND, "cancelled",
                    io.grpc.Status.Code.CANCELLED, t);
        }
        if (t instanceof TritonException te) {
            return new InferenceException(InferenceException.Reason.BACKEND, "backend: " + te.getMessage(),
                    te.code(), te);
        }
        return new InferenceException(InferenceException.Reason.BACKEND, "backend: " + t,
                io.grpc.Status.Code.INTERNAL, t);
    }
}
