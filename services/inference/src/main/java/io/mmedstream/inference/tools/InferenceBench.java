package io.mmedstream.inference.tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.inference.api.ApiGate;
import io.mmedstream.inference.api.InferenceGrpcService;
import io.mmedstream.inference.config.InferenceBeans;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ClientRateLimiter;
import io.mmedstream.inference.service.ClientTokens;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.GetModelRequest;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.proto.inference.v1.ModelInfo;
import io.mmedstream.triton.client.GenerationResult;
import io.mmedstream.triton.client.SamplingParams;
import io.mmedstream.triton.client.TritonClient;

/**
 * What the inference service adds to a generation: the same streamed requests (a) straight to the backend with
 * {@link TritonClient} (ModelStreamInfer) and (b) through the inference gRPC API ({@code Generate}), in the same run.
 * Prints p50/p95/p99 latency of each (requests one at a time, (a) and (b) alternating), the p50 overhead (goal:
 * at most 1 ms), and the throughput of each at a fixed concurrency with their ratio (goal: at least 0.9x).
 *
 * <p>Against a running stack: {@code --backend HOST:PORT --inference HOST:PORT [--token T] [--model M]}. Self-contained
 * ({@code --self-contained}): starts in this process a KServe v2 backend whose model answers at once
 * ({@link InstantTritonBackend}: a backend that costs nothing isolates the overhead, which is the quantity measured)
 * and the inference stack (validation, authentication, rate limit, routing, Triton client, the
 * {@code mmedstream.inference.v1} service) on a grpc-java Netty server; with {@code --service-jar} the real service
 * (its Quarkus application: the gRPC server it deploys with, Quarkus' interceptors, metrics, configuration) runs as a
 * child process instead. Every call crosses a real loopback TCP connection.
 *
 * <p>Like with like: both paths stream (path (a) is ModelStreamInfer, which is what {@code Generate} sends to the
 * backend), with the same prompt, {@code max_tokens} and greedy decoding, and both end in a client that reads on the
 * connection's thread or the caller's (the service's own backend client for (a), a blocking stub for (b)). Not a
 * test: figures depend on the machine, so nothing here passes or fails.
 */
public final class InferenceBench {

    private static final String PROMPT = "A 45-year-old man has had fever, a productive cough and pleuritic chest"
            + " pain for three days. What is the next step?";

    private InferenceBench() {
    }

    record Args(boolean selfContained, String backendHost, int backendPort, String inferenceHost, int inferencePort,
                Optional<String> token, String model, Optional<String> version, int requests, int concurrency,
                int maxTokens, int warmup, Duration tokenDelay, Optional<Path> serviceJar) {

        Args withMaxTokens(int tokens) {
            return new Args(selfContained, backendHost, backendPort, inferenceHost, inferencePort, token, model,
                    version, requests, concurrency, tokens, warmup, tokenDelay, serviceJar);
        }
    }

    static final String USAGE = """
            usage: InferenceBench --self-contained [--service-jar JAR] [options]
                   InferenceBench --backend HOST:PORT --inference HOST:PORT [--token T] [--model M] [options]

              --self-contained    start an instant KServe v2 backend and the inference stack in this process
              --service-jar JAR   self-contained only: instead of the in-process stack, run the real inference
                                  service (services/inference/target/quarkus-app/quarkus-run.jar) as a child
                                  process against the instant backend, on free loopback ports
              --backend H:P       a running Triton / model-server (KServe v2 gRPC)
              --inference H:P     the running inference service's gRPC port
              --token T           bearer token for the inference API (default $MMED_INFERENCE_TOKEN, else
                                  $MMED_HOME/inference-token)
              --model M           model name on the backend (default: what the inference service serves)
              --version V         model version (default: what the inference service serves)
              --requests N        requests per measurement (default 2000)
              --concurrency C     requests in flight in the throughput runs (default 8)
              --max-tokens K      tokens per generation (default 4)
              --warmup W          requests per path before measuring, one token each (default 1000; against a
                                  running stack use 10000 or more: a service fresh from start-up is slow
                                  until its JIT has compiled the request path)
              --token-delay-ms D  self-contained only: the backend's time per token (default 0: instant)
            """;

    public static void main(String[] argv) throws Exception {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        Args args;
        try {
            args = parse(argv, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("InferenceBench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = run(args, System.out);
        } catch (Exception e) {
            System.err.println("InferenceBench: failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // also when a worker or a gRPC thread is still about
    }

    static Args parse(String[] argv, Map<String, String> env) {
        boolean self = false;
        String backend = null;
        String inference = null;
        String token = null;
        String model = null;
        String version = null;
        int requests = 2000;
        int concurrency = 8;
        int maxTokens = 4;
        int warmup = 1000;
        long delayMs = 0;
        String serviceJar = null;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "--self-contained" -> self = true;
                case "--backend" -> backend = value(argv, ++i, a);
                case "--inference" -> inference = value(argv, ++i, a);
                case "--token" -> token = value(argv, ++i, a);
                case "--model" -> model = value(argv, ++i, a);
                case "--version" -> version = value(argv, ++i, a);
                case "--requests" -> requests = positive(value(argv, ++i, a), a);
                case "--concurrency" -> concurrency = positive(value(argv, ++i, a), a);
                case "--max-tokens" -> maxTokens = positive(value(argv, ++i, a), a);
                case "--warmup" -> warmup = Integer.parseInt(value(argv, ++i, a));
                case "--token-delay-ms" -> delayMs = Long.parseLong(value(argv, ++i, a));
                case "--service-jar" -> serviceJar = value(argv, ++i, a);
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (!self && (backend == null || inference == null)) {
            throw new IllegalArgumentException("give --self-contained, or both --backend and --inference");
        }
        if (self && (backend != null || inference != null)) {
            throw new IllegalArgumentException("--self-contained starts its own backend and inference service");
        }
        if (serviceJar != null && !self) {
            throw new IllegalArgumentException("--service-jar needs --self-contained");
        }
        if (serviceJar != null && !Files.isRegularFile(Path.of(serviceJar))) {
            throw new IllegalArgumentException("--service-jar: no file " + serviceJar
                    + " (build it with mvn install -pl services/inference)");
        }
        Optional<String> resolved;
        try {
            resolved = Ask.resolveToken(token, env);
        } catch (Ask.UsageException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        String[] b = self ? new String[] {"localhost", "0"} : hostPort(backend, "--backend");
        String[] f = self ? new String[] {"localhost", "0"} : hostPort(inference, "--inference");
        return new Args(self, b[0], Integer.parseInt(b[1]), f[0], Integer.parseInt(f[1]), resolved,
                model == null ? "" : model, Optional.ofNullable(version), requests, concurrency, maxTokens,
                Math.max(0, warmup), Duration.ofMillis(Math.max(0, delayMs)),
                Optional.ofNullable(serviceJar).map(Path::of));
    }

    private static String value(String[] argv, int i, String flag) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return argv[i];
    }

    private static int positive(String v, String flag) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " needs a positive number, got '" + v + "'");
    }

    private static String[] hostPort(String value, String flag) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(flag + " needs HOST:PORT, got '" + value + "'");
        }
        positive(value.substring(colon + 1), flag);
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
    }

    /** Runs the benchmark; returns the exit status. */
    static int run(Args args, PrintStream out) throws Exception {
        try (Stack stack = args.selfContained() ? Stack.selfContained(args) : Stack.remote(args)) {
            return measure(args, stack, out);
        }
    }

    /** The two paths: the backend's client, and a stub of the inference API, and what to ask for. */
    private record Stack(TritonClient backend, InferenceGrpc.InferenceBlockingStub api, String model,
                         String version, List<AutoCloseable> closeables) implements AutoCloseable {

        static Stack selfContained(Args args) throws Exception {
            List<AutoCloseable> closeables = new ArrayList<>();
            InstantTritonBackend instant = new InstantTritonBackend(Map.of("bench", Set.of(1L))).load("bench", 1)
                    .withTokenDelay(args.tokenDelay());
            Server backendServer = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0))
                    .addService(instant).build().start();
            closeables.add(() -> backendServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
            int backendPort = backendServer.getPort();
            if (args.serviceJar().isPresent()) {
                return withService(args.serviceJar().get(), backendPort, closeables);
            }

            // The inference stack as the service wires it (InferenceBeans), over its own connection to the backend.
            TritonClient serviceClient = InferenceBeans.backendClient("localhost", backendPort,
                    TritonClient.Deadlines.defaults());
            closeables.add(serviceClient);
            ModelRouter router = new ModelRouter(new TritonModelBackend(serviceClient), "vllm", Duration.ofMinutes(1),
                    Duration.ofMinutes(1), Duration.ofMillis(200), Clock.systemUTC());
            router.adopt(ServingModel.of("bench", "1"));
            InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
            GenerationService generations = new GenerationService(serviceClient, router,
                    new ConcurrencyLimiter(Math.max(16, args.concurrency() * 2)));
            InferenceGrpcService service = new InferenceGrpcService(new RequestValidator(256, 4096), generations,
                    new AnswerService(generations, 32, 512), router, metrics);
            String token = UUID.randomUUID().toString();
            // A limit far above what the run asks, so that its cost is measured but it never refuses.
            ApiGate gate = new ApiGate(ClientTokens.parse("bench=" + token),
                    new ClientRateLimiter(new ClientRateLimiter.Rate(1e9, Integer.MAX_VALUE), Map.of()), metrics);
            Server apiServer = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0))
                    .addService(ServerInterceptors.intercept(service, gate)).build().start();
            closeables.add(() -> apiServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

            TritonClient direct = directClient("localhost", backendPort);
            closeables.add(direct);
            ManagedChannel apiChannel = ManagedChannelBuilder.forAddress("localhost", apiServer.getPort())
                    .usePlaintext().build();
            closeables.add(() -> apiChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
            return new Stack(direct, stub(apiChannel, Optional.of(token)), "bench", "1", closeables);
        }

        /**
         * The real inference service (its Quarkus application) as a child process against the in-process instant
         * backend: what a deployment runs, with its gRPC server, interceptors, metrics and configuration.
         */
        private static Stack withService(Path jar, int backendPort, List<AutoCloseable> closeables) throws Exception {
            String token = UUID.randomUUID().toString();
            int grpcPort = freePort();
            int httpPort = freePort();
            Path log = Files.createTempFile("inference-bench-service", ".log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dmmed.inference.promotions.enabled=false", "-jar", jar.toString());
            Map<String, String> env = pb.environment();
            env.put("MMED_TRITON_HOST", "localhost");
            env.put("MMED_TRITON_PORT", Integer.toString(backendPort));
            env.put("MMED_INFERENCE_GRPC_PORT", Integer.toString(grpcPort));
            env.put("MMED_INFERENCE_PORT", Integer.toString(httpPort));
            env.put("MMED_INFERENCE_TOKENS", "bench=" + token);
            env.put("MMED_MODEL_NAME", "bench");
            // Limits far above what the run asks, so that their cost is measured but they never refuse.
            env.put("MMED_INFERENCE_RATE_LIMIT_RPS", "1000000000");
            env.put("MMED_INFERENCE_RATE_LIMIT_BURST", "1000000000");
            env.put("MMED_INFERENCE_MAX_CONCURRENT", "1024");
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            Process service = pb.start();
            // Also when the bench itself is stopped (Ctrl-C, a timeout): the service must not outlive it.
            Thread reaper = new Thread(service::destroy, "inference-bench-service-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
            closeables.add(() -> {
                service.destroy();
                if (!service.waitFor(10, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
                Runtime.getRuntime().removeShutdownHook(reaper);
            });
            ManagedChannel apiChannel = ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext()
                    .build();
            closeables.add(() -> apiChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
            InferenceGrpc.InferenceBlockingStub api = stub(apiChannel, Optional.of(token));
            // The service adopts the version the backend has ready (bench/1) once it has started.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    api.withDeadlineAfter(2, TimeUnit.SECONDS).getModel(GetModelRequest.getDefaultInstance());
                    break;
                } catch (io.grpc.StatusRuntimeException e) {
                    if (!service.isAlive() || System.nanoTime() > until) {
                        throw new IllegalStateException("the inference service did not serve bench/1 (last: "
                                + e.getStatus() + "); its log: " + log, e);
                    }
                    Thread.sleep(200); // polling a child process that is starting: nothing to wait on instead
                }
            }
            TritonClient direct = directClient("localhost", backendPort);
            closeables.add(direct);
            return new Stack(direct, api, "bench", "1", closeables);
        }

        /**
         * Path (a)'s client: the one the service itself uses, so that both paths end in a client whose callbacks run
         * on its connection's thread (the API stub of path (b) is a blocking stub, which reads on the caller's
         * thread): neither path pays for an executor hop the other does not.
         */
        private static TritonClient directClient(String host, int port) {
            return InferenceBeans.backendClient(host, port, TritonClient.Deadlines.defaults());
        }

        private static int freePort() throws java.io.IOException {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }

        static Stack remote(Args args) throws Exception {
            List<AutoCloseable> closeables = new ArrayList<>();
            TritonClient direct = directClient(args.backendHost(), args.backendPort());
            closeables.add(direct);
            ManagedChannel apiChannel = ManagedChannelBuilder.forAddress(args.inferenceHost(), args.inferencePort())
                    .usePlaintext().build();
            closeables.add(() -> apiChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
            InferenceGrpc.InferenceBlockingStub api = stub(apiChannel, args.token());
            ModelInfo serving = api.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getModel(GetModelRequest.getDefaultInstance());
            String model = args.model().isEmpty() ? serving.getModel().getName() : args.model();
            String version = args.version().orElse(serving.getModel().getVersion());
            if (!model.equals(serving.getModel().getName()) || !version.equals(serving.getModel().getVersion())) {
                System.err.printf("InferenceBench: warning: inference serves %s/%s, the direct path asks %s/%s%n",
                        serving.getModel().getName(), serving.getModel().getVersion(), model, version);
            }
            return new Stack(direct, api, model, version, closeables);
        }

        private static InferenceGrpc.InferenceBlockingStub stub(ManagedChannel channel, Optional<String> token) {
            InferenceGrpc.InferenceBlockingStub stub = InferenceGrpc.newBlockingStub(channel);
            if (token.isPresent()) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                        "Bearer " + token.get());
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            return stub;
        }

        @Override
        public void close() throws Exception {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                closeables.get(i).close();
            }
        }
    }

    /** One request on path (a): straight to the backend. */
    private static void direct(Stack s, Args args, int i) {
        GenerationResult r = TritonClient.await(s.backend().generate(s.model(), s.version(), PROMPT + " #" + i,
                new SamplingParams(args.maxTokens(), 0.0, 1.0, null, null, List.of()), null));
        if (r.text().isEmpty()) {
            throw new IllegalStateException("the backend generated nothing");
        }
    }

    /** One request on path (b): through the inference API. */
    private static void proxied(Stack s, Args args, int i) {
        var it = s.api().withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                .setPrompt(PROMPT + " #" + i).setMaxTokens(args.maxTokens()).setTemperature(0.0).setTopP(1.0).build());
        GenerateResponse last = null;
        while (it.hasNext()) {
            last = it.next();
        }
        if (last == null || !last.getFinal()) {
            throw new IllegalStateException("the inference API ended without its final message");
        }
    }

    private interface Call {
        void run(Stack s, Args args, int i);
    }

    private static int measure(Args args, Stack s, PrintStream out) throws Exception {
        out.println("InferenceBench: " + (args.selfContained()
                ? "self-contained: an in-process KServe v2 backend whose model answers "
                + (args.tokenDelay().isZero() ? "at once" : "after " + args.tokenDelay().toMillis() + " ms per token")
                + (args.tokenDelay().isZero() ? " (so the figures are the inference service's own overhead, which is"
                + " what is measured; a real model's generation time would hide it)" : "")
                + (args.serviceJar().isPresent()
                ? ", and the real inference service (" + args.serviceJar().get().getFileName() + ": Quarkus, its"
                + " gRPC server, interceptors and metrics) in a child process"
                : ", and the inference stack in this process on a grpc-java Netty server (the classes the service"
                + " runs, without Quarkus' gRPC server: --service-jar measures the real service)")
                + "; loopback TCP for every call; client, inference and backend share this machine's "
                + Runtime.getRuntime().availableProcessors() + " CPUs"
                : "running stack: backend " + args.backendHost() + ":" + args.backendPort() + ", inference "
                + args.inferenceHost() + ":" + args.inferencePort()));
        out.printf("model %s/%s, max_tokens %d (streamed), %d requests per measurement, warm-up %d per path%n",
                s.model(), s.version(), args.maxTokens(), args.requests(), args.warmup());

        Call a = InferenceBench::direct;
        Call b = InferenceBench::proxied;
        // Warm-up: connections and the JIT of every process on both paths. A service fresh from start-up runs its
        // request path in the interpreter: against a running stack it adds milliseconds per call until some
        // thousands of calls have passed. Warm-up calls ask for one token, so that warming costs little model time.
        Args warm = args.withMaxTokens(1);
        runConcurrent(s, warm, a, args.warmup(), args.concurrency());
        runConcurrent(s, warm, b, args.warmup(), args.concurrency());

        // Latency: one request at a time, the two paths alternating so that both see the same machine.
        long[] la = new long[args.requests()];
        long[] lb = new long[args.requests()];
        for (int i = 0; i < args.requests(); i++) {
            long t0 = System.nanoTime();
            a.run(s, args, i);
            long t1 = System.nanoTime();
            b.run(s, args, i);
            long t2 = System.nanoTime();
            la[i] = t1 - t0;
            lb[i] = t2 - t1;
        }
        Arrays.sort(la);
        Arrays.sort(lb);
        out.println();
        out.println("latency, one request at a time    p50 ms    p95 ms    p99 ms");
        out.printf("  (a) backend direct             %7.3f   %7.3f   %7.3f%n", ms(pct(la, 50)), ms(pct(la, 95)),
                ms(pct(la, 99)));
        out.printf("  (b) through inference          %7.3f   %7.3f   %7.3f%n", ms(pct(lb, 50)), ms(pct(lb, 95)),
                ms(pct(lb, 99)));
        double overhead = ms(pct(lb, 50)) - ms(pct(la, 50));
        out.printf("  p50 overhead: %.3f ms (goal <= 1 ms: %s)%n", overhead, overhead <= 1.0 ? "met" : "NOT met");

        // Throughput: a fixed number of requests in flight, two rounds per path, alternating.
        double[] ta = new double[2];
        double[] tb = new double[2];
        for (int round = 0; round < 2; round++) {
            ta[round] = runConcurrent(s, args, a, args.requests(), args.concurrency());
            tb[round] = runConcurrent(s, args, b, args.requests(), args.concurrency());
        }
        double rateA = (ta[0] + ta[1]) / 2;
        double rateB = (tb[0] + tb[1]) / 2;
        out.println();
        out.printf("throughput at concurrency %d (mean of 2 rounds of %d requests)%n", args.concurrency(),
                args.requests());
        out.printf("  (a) backend direct        %9.0f requests/s%n", rateA);
        out.printf("  (b) through inference     %9.0f requests/s%n", rateB);
        double ratio = rateB / rateA;
        out.printf("  ratio (b)/(a): %.2fx (goal >= 0.9x: %s)%n", ratio, ratio >= 0.9 ? "met" : "NOT met");
        if (args.selfContained() && args.tokenDelay().isZero() && ratio < 0.9) {
            out.println("  note: with an instant backend on one machine every path is CPU-bound, and (b) does the"
                    + " work of a second gRPC hop on the same CPUs; try --token-delay-ms to give the backend a"
                    + " model's pace, or measure a running stack");
        }
        return 0;
    }

    /** Runs {@code n} calls with {@code concurrency} in flight; returns calls per second. */
    private static double runConcurrent(Stack s, Args args, Call call, int n, int concurrency) throws Exception {
        if (n == 0) {
            return 0;
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger next = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                start.await();
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    call.run(s, args, i);
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        try {
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long took = System.nanoTime() - t0;
        return n / (took / 1e9);
    }

    private static long pct(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
