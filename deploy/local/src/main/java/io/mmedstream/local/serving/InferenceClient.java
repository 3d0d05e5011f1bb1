package io.mmedstream.local.serving;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.GetModelRequest;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.proto.inference.v1.ModelInfo;

/**
 * A client of inference's gRPC API ({@code mmedstream.inference.v1.Inference}) for the demo and {@code status}:
 * {@code Answer} and {@code GetModel}, with the bearer token in the {@code authorization} metadata and a deadline on
 * every call. The full command-line client is inference's own {@code Ask} tool ({@code ./mmed ask}).
 */
public final class InferenceClient implements AutoCloseable {

    /** A call that failed with a gRPC status; UNAVAILABLE means: no model serves yet, or inference is not up. */
    public static final class CallException extends CommandException {
        private final Status.Code code;

        CallException(String message, Status.Code code, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        public Status.Code code() {
            return code;
        }
    }

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String target;
    private final ManagedChannel channel;
    private final InferenceGrpc.InferenceBlockingStub stub;

    private InferenceClient(String target, ManagedChannel channel, InferenceGrpc.InferenceBlockingStub stub) {
        this.target = target;
        this.channel = channel;
        this.stub = stub;
    }

    /** A client of inference on {@code host:port}, plaintext, sending {@code token} when there is one. */
    public static InferenceClient connect(String host, int port, Optional<String> token) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        InferenceGrpc.InferenceBlockingStub stub = InferenceGrpc.newBlockingStub(channel);
        if (token.isPresent()) {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token.get());
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        return new InferenceClient(host + ":" + port, channel, stub);
    }

    /** {@code host:port}. */
    public String target() {
        return target;
    }

    /** The serving model, its checkpoint and its evaluation ({@code GetModel}). */
    public ModelInfo model(Duration deadline) {
        try {
            return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .getModel(GetModelRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw failed("GetModel", e);
        }
    }

    /** A multiple-choice question answered by the serving model ({@code Answer}). */
    public AnswerResponse answer(String question, Map<String, String> options, String language, boolean withRationale,
                                 Duration deadline) {
        AnswerRequest request = AnswerRequest.newBuilder().setQuestion(question).putAllOptions(options)
                .setLanguage(language).setWithRationale(withRationale).build();
        try {
            return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).answer(request);
        } catch (StatusRuntimeException e) {
            throw failed("Answer", e);
        }
    }

    private CallException failed(String rpc, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : ": " + status.getDescription();
        return new CallException(rpc + " on inference (" + target + ") failed with " + status.getCode() + description,
                status.getCode(), e);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
