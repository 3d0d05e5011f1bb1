package io.mmedstream.modelserver.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mmedstream.modelserver.config.ModelServerConfig;
import io.mmedstream.modelserver.domain.GenerateCommand;
import io.mmedstream.modelserver.domain.ModelIndexEntry;
import io.mmedstream.modelserver.domain.TensorContract;
import io.mmedstream.modelserver.engine.TextGenerator;
import io.mmedstream.modelserver.service.InferenceRunner;
import io.mmedstream.modelserver.service.ModelConfiguration;
import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelServerException;
import io.mmedstream.modelserver.service.ModelServerException.Reason;
import io.mmedstream.modelserver.service.ModelServerMetrics;
import io.mmedstream.modelserver.service.ServedVersion;
import io.mmedstream.modelserver.service.ServerState;
import io.mmedstream.proto.triton.GRPCInferenceServiceGrpc;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelMetadataRequest;
import io.mmedstream.proto.triton.ModelMetadataResponse;
import io.mmedstream.proto.triton.ModelReadyRequest;
import io.mmedstream.proto.triton.ModelReadyResponse;
import io.mmedstream.proto.triton.ModelRepositoryParameter;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.proto.triton.RepositoryIndexRequest;
import io.mmedstream.proto.triton.RepositoryIndexResponse;
import io.mmedstream.proto.triton.RepositoryModelLoadRequest;
import io.mmedstream.proto.triton.RepositoryModelLoadResponse;
import io.mmedstream.proto.triton.RepositoryModelUnloadRequest;
import io.mmedstream.proto.triton.RepositoryModelUnloadResponse;
import io.mmedstream.proto.triton.ServerLiveRequest;
import io.mmedstream.proto.triton.ServerLiveResponse;
import io.mmedstream.proto.triton.ServerMetadataRequest;
import io.mmedstream.proto.triton.ServerMetadataResponse;
import io.mmedstream.proto.triton.ServerReadyRequest;
import io.mmedstream.proto.triton.ServerReadyResponse;
import io.quarkus.grpc.GrpcService;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;

/**
 * Triton's {@code inference.GRPCInferenceService}, the subset in {@code proto/src/main/proto/inference}: health,
 * metadata, explicit model control, and inference with the vLLM backend's tensor contract.
 *
 * <p>Work that takes long (loading weights, generating) never runs on the gRPC thread: loads go to a control
 * executor, generations to the {@link InferenceRunner}. Failures map to statuses in {@link GrpcErrors}; inside a
 * ModelStreamInfer stream a failed request becomes a response with {@code error_message} and the stream goes on, as
 * Triton does. A cancelled call or passed deadline stops its generation before the next token.
 */
@GrpcService
public class TritonInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    /** Protocol extensions this server implements (ServerMetadata). */
    static final List<String> EXTENSIONS = List.of("model_repository", "parameters");
    /** The load parameter that carries a JSON model configuration. */
    static final String CONFIG_PARAMETER = "config";

    private final ModelManager models;
    private final InferenceRunner runner;
    private final ModelServerMetrics metrics;
    private final ServerState state;
    private final String serverName;
    private final String serverVersion;
    private final ExecutorService control = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-control");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public TritonInferenceService(ModelManager models, InferenceRunner runner, ModelServerMetrics metrics,
                                  ServerState state, ModelServerConfig config) {
        this(models, runner, metrics, state, config.server().name(), config.server().version());
    }

    public TritonInferenceService(ModelManager models, InferenceRunner runner, ModelServerMetrics metrics,
                                  ServerState state, String serverName, String serverVersion) {
        this.models = models;
        this.runner = runner;
        this.metrics = metrics;
        this.state = state;
        this.serverName = serverName;
        this.serverVersion = serverVersion;
    }

    @PreDestroy
    void stop() {
        control.shutdownNow();
    }

    // ---- health and metadata ----------------------------------------------------------------------------------------

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        out.onNext(ServerLiveResponse.newBuilder().setLive(state.isLive()).build());
        out.onCompleted();
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        out.onNext(ServerReadyResponse.newBuilder().setReady(state.isReady()).build());
        out.onCompleted();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        try {
            boolean ready = !request.getName().isEmpty() && models.isReady(request.getName(), request.getVersion());
            out.onNext(ModelReadyResponse.newBuilder().setReady(ready).build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        out.onNext(ServerMetadataResponse.newBuilder().setName(serverName).setVersion(serverVersion)
                .addAllExtensions(EXTENSIONS).build());
        out.onCompleted();
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        try {
            ServedVersion sv = models.servingVersion(request.getName(), request.getVersion());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(sv.model())
                    .setPlatform(sv.configuration().backend());
            models.servingVersions(sv.model()).forEach(v -> b.addVersions(Long.toString(v)));
            for (TensorContract.Tensor t : TensorContract.INPUTS) {
                b.addInputs(tensor(t));
            }
            for (TensorContract.Tensor t : TensorContract.OUTPUTS) {
                b.addOutputs(tensor(t));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    private static ModelMetadataResponse.TensorMetadata tensor(TensorContract.Tensor t) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(t.name()).setDatatype(t.datatype())
                .addAllShape(t.shape()).build();
    }

    // ---- model repository -------------------------------------------------------------------------------------------

    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
        try {
            RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
            for (ModelIndexEntry e : models.index(request.getReady())) {
                b.addModels(RepositoryIndexResponse.ModelIndex.newBuilder().setName(e.name()).setVersion(e.version())
                        .setState(e.state()).setReason(e.reason()));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request,
                                    StreamObserver<RepositoryModelLoadResponse> out) {
        String name = request.getModelName();
        String configJson;
        try {
            configJson = loadConfig(request);
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        Executor writes = responseWriter();
        control.execute(() -> {
            try {
                models.load(name, configJson);
                writes.execute(() -> {
                    out.onNext(RepositoryModelLoadResponse.getDefaultInstance());
                    out.onCompleted();
                });
            } catch (RuntimeException e) {
                writes.execute(() -> out.onError(GrpcErrors.toStatus(e)));
            }
        });
    }

    private static String loadConfig(RepositoryModelLoadRequest request) {
        String configJson = null;
        for (var e : request.getParametersMap().entrySet()) {
            String key = e.getKey();
            ModelRepositoryParameter p = e.getValue();
            if (key.equals(CONFIG_PARAMETER)) {
                configJson = switch (p.getParameterChoiceCase()) {
                    case STRING_PARAM -> p.getStringParam();
                    case BYTES_PARAM -> p.getBytesParam().toString(StandardCharsets.UTF_8);
                    default -> throw ModelServerException.invalid("load parameter 'config' must be a string of JSON");
                };
            } else if (key.startsWith("file:")) {
                throw new ModelServerException(Reason.UNSUPPORTED, "load parameter '" + key
                        + "': model files sent with the request are not supported; put them in the repository");
            }
        }
        return configJson;
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
                                      StreamObserver<RepositoryModelUnloadResponse> out) {
        try {
            models.unload(request.getModelName());
            out.onNext(RepositoryModelUnloadResponse.getDefaultInstance());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    // ---- inference --------------------------------------------------------------------------------------------------

    /** Where one request's responses go. */
    private interface ResponseSink {
        void send(ModelInferResponse response);

        void fail(Throwable failure);

        void done();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        Context context = Context.current();
        AtomicBoolean callCancelled = new AtomicBoolean();
        if (out instanceof ServerCallStreamObserver<ModelInferResponse> call) {
            call.setOnCancelHandler(() -> callCancelled.set(true)); // client cancel or deadline, on any transport
        }
        GenerateCommand command;
        ServedVersion.Lease lease;
        try {
            command = InferRequests.decode(request);
            lease = models.lease(command.model(), command.version());
        } catch (RuntimeException e) {
            countFailure(request.getModelName(), e);
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        try {
            ModelConfiguration config = lease.version().configuration();
            if (config.decoupled()) {
                throw new ModelServerException(Reason.UNSUPPORTED, "ModelInfer does not support models with a "
                        + "decoupled transaction policy ('" + command.model() + "'): use ModelStreamInfer");
            }
            if (command.stream()) {
                throw ModelServerException.invalid("input 'stream' = true needs ModelStreamInfer and a model with a "
                        + "decoupled transaction policy");
            }
            Executor writes = responseWriter();
            start(command, lease, () -> callCancelled.get() || context.isCancelled(), new ResponseSink() {
                @Override
                public void send(ModelInferResponse response) {
                    writes.execute(() -> {
                        if (!callCancelled.get()) {
                            out.onNext(response);
                        }
                    });
                }

                @Override
                public void fail(Throwable failure) {
                    writes.execute(() -> {
                        if (!callCancelled.get()) {
                            out.onError(GrpcErrors.toStatus(failure));
                        }
                    });
                }

                @Override
                public void done() {
                    writes.execute(() -> {
                        if (!callCancelled.get()) {
                            out.onCompleted();
                        }
                    });
                }
            });
        } catch (RuntimeException e) {
            lease.close();
            countFailure(command.model(), e);
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
        InferStream stream = new InferStream(out, Context.current(), responseWriter());
        if (out instanceof ServerCallStreamObserver<ModelStreamInferResponse> call) {
            call.setOnCancelHandler(stream::cancelled); // client cancel, reset or deadline, on any transport
        }
        return stream;
    }

    /**
     * Where a call's responses are written: on the call's event loop when it has one, else on the calling thread.
     *
     * <p>On Quarkus' unified server (Vert.x HTTP/2 and vertx-grpc's bridge to grpc-java services) a write from
     * another thread (a generation thread here) is checked against a reset of the stream when it is queued, and
     * carried out later on the event loop without a second check. When the client resets the stream (RST_STREAM:
     * a cancelled call, a passed deadline) between the two, a queued HEADERS frame (the response headers, or the
     * trailers that end the call) goes to a stream that no longer exists, and Netty treats that as a connection
     * error: GOAWAY PROTOCOL_ERROR "Request stream N is not correct for server connection", failing every other call
     * on the connection. Written from the event loop, the check and the write happen together; after a reset, writes
     * are dropped. On grpc-java's own transports (in-process, Netty server) there is no event loop here and no such
     * race: writes go straight through.
     */
    private static Executor responseWriter() {
        io.vertx.core.Context loop = Vertx.currentContext();
        return loop == null ? Runnable::run : task -> loop.runOnContext(ignored -> task.run());
    }

    /** One ModelStreamInfer call: any number of requests, their responses interleaved, each tagged with its id. */
    private final class InferStream implements StreamObserver<ModelInferRequest> {
        private final StreamObserver<ModelStreamInferResponse> out;
        private final Context context;
        private final Executor writes;
        private final AtomicBoolean broken = new AtomicBoolean();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicBoolean clientDone = new AtomicBoolean();
        private final AtomicBoolean completed = new AtomicBoolean();

        InferStream(StreamObserver<ModelStreamInferResponse> out, Context context, Executor writes) {
            this.out = out;
            this.context = context;
            this.writes = writes;
        }

        /** The call was cancelled or reset by the client: nothing more is written, generations stop. */
        void cancelled() {
            broken.set(true);
        }

        @Override
        public void onNext(ModelInferRequest request) {
            inFlight.incrementAndGet();
            GenerateCommand command = null;
            ServedVersion.Lease lease = null;
            try {
                command = InferRequests.decode(request);
                lease = models.lease(command.model(), command.version());
                if (command.stream() && !lease.version().configuration().decoupled()) {
                    throw ModelServerException.invalid("input 'stream' = true needs a model with a decoupled "
                            + "transaction policy; '" + command.model() + "' is not decoupled");
                }
                GenerateCommand c = command;
                start(command, lease, this::isCancelled, new ResponseSink() {
                    @Override
                    public void send(ModelInferResponse response) {
                        emit(ModelStreamInferResponse.newBuilder().setInferResponse(response).build());
                    }

                    @Override
                    public void fail(Throwable failure) {
                        emit(InferResponses.streamError(c.model(), c.version(), c.id(), GrpcErrors.message(failure)));
                        finished();
                    }

                    @Override
                    public void done() {
                        finished();
                    }
                });
            } catch (RuntimeException e) {
                if (lease != null) {
                    lease.close();
                }
                countFailure(request.getModelName(), e);
                emit(InferResponses.streamError(request.getModelName(), request.getModelVersion(), request.getId(),
                        GrpcErrors.message(e)));
                finished();
            }
        }

        private boolean isCancelled() {
            return broken.get() || context.isCancelled();
        }

        private void emit(ModelStreamInferResponse response) {
            if (broken.get()) {
                return;
            }
            writes.execute(() -> {
                synchronized (this) { // generations of one stream may run at once (no event loop: their threads)
                    if (broken.get()) {
                        return;
                    }
                    try {
                        out.onNext(response);
                    } catch (RuntimeException e) {
                        broken.set(true); // the call is gone (cancelled or closed): stop generating for it
                    }
                }
            });
        }

        private void finished() {
            if (inFlight.decrementAndGet() == 0 && clientDone.get()) {
                complete();
            }
        }

        private void complete() {
            if (completed.compareAndSet(false, true) && !broken.get()) {
                writes.execute(() -> {
                    synchronized (this) {
                        if (broken.get()) {
                            return;
                        }
                        try {
                            out.onCompleted();
                        } catch (RuntimeException e) {
                            broken.set(true);
                        }
                    }
                });
            }
        }

        @Override
        public void onError(Throwable t) {
            broken.set(true); // the client went away: its generations stop before their next token
        }

        @Override
        public void onCompleted() {
            clientDone.set(true);
            if (inFlight.get() == 0) {
                complete();
            }
        }
    }

    /** Queues one generation; the lease is released when it ends, however it ends. */
    private void start(GenerateCommand command, ServedVersion.Lease lease, BooleanSupplier cancelled,
                       ResponseSink sink) {
        runner.submit(() -> {
            long started = System.nanoTime();
            ServedVersion version = lease.version();
            try {
                TextGenerator generator = version.generator();
                BooleanSupplier stop = () -> cancelled.getAsBoolean() || lease.forcedToStop();
                TextGenerator.Completion completion;
                if (command.stream()) {
                    completion = generator.generate(command.prompt(), command.params(), chunk -> sink.send(
                            InferResponses.response(command, version, chunk.text(), chunk.promptTokens(),
                                    chunk.tokens(), chunk.last() ? chunk.finishReason().wireName() : null,
                                    chunk.last())), stop);
                } else {
                    completion = generator.generate(command.prompt(), command.params(), null, stop);
                    String text = command.excludeInput() ? completion.text() : command.prompt() + completion.text();
                    sink.send(InferResponses.response(command, version, text, completion.promptTokens(),
                            completion.completionTokens(), completion.finishReason().wireName(), true));
                }
                metrics.tokens(command.model(), completion.promptTokens(), completion.completionTokens());
                metrics.request(command.model(), "ok");
                metrics.latency(Duration.ofNanos(System.nanoTime() - started));
                Log.debugf("model %s version %d request '%s': %d prompt tokens, %d generated (%s) in %d ms",
                        command.model(), version.version(), command.id(), completion.promptTokens(),
                        completion.completionTokens(), completion.finishReason().wireName(),
                        (System.nanoTime() - started) / 1_000_000);
                sink.done();
            } catch (Throwable t) {
                countFailure(command.model(), t);
                if (!(t instanceof ModelServerException)) {
                    Log.errorf(t, "model %s request '%s' failed", command.model(), command.id());
                }
                sink.fail(t);
            } finally {
                lease.close();
            }
        });
    }

    private void countFailure(String model, Throwable t) {
        String outcome = t instanceof ModelServerException e ? e.reason().name().toLowerCase()
                : Status.Code.INTERNAL.name().toLowerCase();
        // Only names of real model folders become tag values: a client must not be able to create meters at will.
        metrics.request(models.repository().contains(model) ? model : "-", outcome);
    }
}
