package io.mmedstream.inference.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ClientRateLimiter;
import io.mmedstream.inference.service.ClientTokens;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.modelserver.api.TritonInferenceService;
import io.mmedstream.modelserver.engine.ComputePool;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.service.InferenceRunner;
import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelRepository;
import io.mmedstream.modelserver.service.ModelServerMetrics;
import io.mmedstream.modelserver.service.ServerState;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.triton.client.TritonClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServiceBridge;

/**
 * Concurrent Generate and Answer calls through the inference service to the real model server served the way the
 * model-server application serves it: on a Vert.x HTTP/2 server through vertx-grpc's grpc-java bridge (Quarkus'
 * {@code use-separate-server=false}); the inference API on grpc-java's Netty server (as Quarkus' separate gRPC server
 * is); real loopback TCP both ways.
 *
 * <p>The regression it guards: a backend call started inside the inbound call's gRPC context is cancelled when that
 * context is, and grpc-java cancels a server call's context as soon as the call completes. Inference completes
 * Generate on the backend's final response, before the backend's trailers, so the backend call was cancelled
 * (RST_STREAM CANCEL) while the model server was writing its trailers. Vert.x then writes trailers on a stream that
 * no longer exists, which Netty turns into a connection error: GOAWAY PROTOCOL_ERROR "Request stream N is not
 * correct for server connection", failing every other call on the shared connection.
 */
class VertxBackendConcurrencyTest {

    private static final String TOKEN = "vertx-test-token-0123456789";

    @TempDir
    Path repository;

    private ComputePool pool;
    private ModelManager models;
    private InferenceRunner runner;
    private Vertx vertx;
    private HttpServer backend;
    private ManagedChannel backendChannel;
    private TritonClient client;
    private Server api;
    private ManagedChannel apiChannel;
    /** How each backend call ended, seen from inference's side. */
    private final Queue<Status.Code> backendOutcomes = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        TinyModelRepository.write(repository, "mmed", 1);
        pool = new ComputePool(1);
        ModelRepository repo = new ModelRepository(repository);
        models = new ModelManager(repo, (dir, config) -> LoadedCheckpoint.load(dir, pool, config.maxContext()),
                Duration.ofSeconds(30));
        runner = new InferenceRunner(4, 256);
        ServerState state = new ServerState(repo);
        state.markStarted();
        TritonInferenceService service = new TritonInferenceService(models, runner,
                new ModelServerMetrics(new SimpleMeterRegistry()), state, "mmed-model-server", "test");

        vertx = Vertx.vertx();
        GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(256 << 20));
        GrpcServiceBridge.bridge(service.bindService()).bind(grpc);
        backend = vertx.createHttpServer(new HttpServerOptions().setHost("localhost").setPort(0))
                .requestHandler(grpc).listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        backendChannel = ManagedChannelBuilder.forAddress("localhost", backend.actualPort()).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
        Channel recorded = ClientInterceptors.intercept(backendChannel, new OutcomeRecorder());
        client = new TritonClient(new ForwardingManagedChannel(backendChannel, recorded),
                TritonClient.Deadlines.defaults(), true, false);
        ModelRouter router = new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMillis(20), Clock.systemUTC());
        router.promote("mmed", "1");
        GenerationService generations = new GenerationService(client, router, new ConcurrencyLimiter(16));
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        InferenceGrpcService inference = new InferenceGrpcService(new RequestValidator(256, 4096), generations,
                new AnswerService(generations, 8, 16), router, metrics);
        ApiGate gate = new ApiGate(ClientTokens.parse("test=" + TOKEN),
                new ClientRateLimiter(new ClientRateLimiter.Rate(1e6, 1_000_000), Map.of()), metrics);
        api = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0))
                .addService(ServerInterceptors.intercept(inference, gate)).build().start();
        apiChannel = ManagedChannelBuilder.forAddress("localhost", api.getPort()).usePlaintext().build();
        backendOutcomes.clear(); // the load and readiness calls above
    }

    @AfterEach
    void stop() throws Exception {
        apiChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        client.close();
        backendChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        backend.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        runner.close();
        models.close();
        pool.close();
    }

    @Test
    void concurrentCallsThroughInferenceAllSucceedAndNeverCancelTheBackendCall() throws Exception {
        int clients = 4;
        int callsPerClient = 60;
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            loops.add(threads.submit(() -> {
                InferenceGrpc.InferenceBlockingStub stub = TestTokens.withToken(
                        InferenceGrpc.newBlockingStub(apiChannel), TOKEN);
                for (int n = 0; n < callsPerClient; n++) {
                    try {
                        if (n % 3 == 2) {
                            AnswerResponse answer = stub.withDeadlineAfter(60, TimeUnit.SECONDS).answer(
                                    AnswerRequest.newBuilder().setQuestion("Case " + id + "/" + n + ": fever?")
                                            .putOptions("A", "Influenza").putOptions("B", "Migraine").build());
                            assertThat(answer.getUsage().getCompletionTokens()).isPositive();
                        } else {
                            var it = stub.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest
                                    .newBuilder().setPrompt("Patient " + id + " visit " + n + ": cough")
                                    .setMaxTokens(4).setTemperature(0).build());
                            GenerateResponse last = null;
                            while (it.hasNext()) {
                                last = it.next();
                            }
                            assertThat(last).isNotNull();
                            assertThat(last.getFinal()).isTrue();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }));
        }
        for (Future<?> loop : loops) {
            loop.get(5, TimeUnit.MINUTES);
        }
        threads.shutdown();

        assertThat(failures).isEmpty();
        // Every backend call ran to the backend's own end of stream: a call nobody cancelled is never reset. A client
        // has its answer once the backend's final response is forwarded; the backend call closes just after it.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> backendOutcomes.size() >= clients * callsPerClient);
        assertThat(backendOutcomes).hasSize(clients * callsPerClient).containsOnly(Status.Code.OK);
    }

    @Test
    void clientsThatCancelMidGenerationDoNotDisturbTheOtherCalls() throws Exception {
        int clients = 3;
        int callsPerClient = 40;
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger cancelled = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(clients + 1);
        Future<?> canceller = threads.submit(() -> {
            InferenceGrpc.InferenceBlockingStub stub = TestTokens.withToken(InferenceGrpc.newBlockingStub(apiChannel),
                    TOKEN);
            int n = 0;
            while (!done.get()) {
                try (io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation()) {
                    int id = n++;
                    var it = context.call(() -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).generate(
                            GenerateRequest.newBuilder().setPrompt("Long story " + id).setMaxTokens(64)
                                    .setTemperature(0).build()));
                    it.next();
                    context.cancel(null);
                    cancelled.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e);
                }
            }
            return null;
        });
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            loops.add(threads.submit(() -> {
                InferenceGrpc.InferenceBlockingStub stub = TestTokens.withToken(
                        InferenceGrpc.newBlockingStub(apiChannel), TOKEN);
                for (int n = 0; n < callsPerClient; n++) {
                    try {
                        var it = stub.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                                .setPrompt("Patient " + id + " visit " + n + ": cough").setMaxTokens(16)
                                .setTemperature(0).build());
                        while (it.hasNext()) {
                            it.next();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }));
        }
        for (Future<?> loop : loops) {
            loop.get(5, TimeUnit.MINUTES);
        }
        done.set(true);
        canceller.get(1, TimeUnit.MINUTES);
        threads.shutdown();
        assertThat(cancelled.get()).isPositive();
        assertThat(failures).isEmpty();
    }

    /** Records the status each backend call closes with. */
    private final class OutcomeRecorder implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            backendOutcomes.add(status.getCode());
                            super.onClose(status, trailers);
                        }
                    }, headers);
                }
            };
        }
    }

    /** A ManagedChannel whose calls go through an intercepted channel; lifecycle calls go to the real one. */
    private static final class ForwardingManagedChannel extends ManagedChannel {
        private final ManagedChannel delegate;
        private final Channel calls;

        ForwardingManagedChannel(ManagedChannel delegate, Channel calls) {
            this.delegate = delegate;
            this.calls = calls;
        }

        @Override
        public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
            return calls.newCall(method, options);
        }

        @Override
        public String authority() {
            return delegate.authority();
        }

        @Override
        public ManagedChannel shutdown() {
            return delegate.shutdown();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public ManagedChannel shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
