package io.mmedstream.inference.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.InferenceGrpc;

/**
 * {@code ./mmed ask}: asks the running stack's inference service one multiple-choice question through its
 * {@code Answer} RPC and prints the chosen option letters, the rationale (when asked for) and the model version that
 * answered. A plain main (no Quarkus):
 *
 * <pre>
 * java -cp "services/inference/target/classes:services/inference/target/lib/*" io.mmedstream.inference.tools.Ask \
 *     "A 3-year-old has a barking cough..." --option A=Croup --option B=Asthma [--lang French] [--rationale]
 * </pre>
 *
 * Exit status: 0 answered (also when no option could be read from the output: that is the model's answer), 1 the
 * service refused the question (e.g. INVALID_ARGUMENT), 2 wrong arguments, the service is not reachable, or the
 * token is missing or refused.
 */
public final class Ask {

    /** Exit status for wrong usage, an unreachable service, or a refused token. */
    static final int EXIT_UNAVAILABLE = 2;
    static final int EXIT_REFUSED = 1;
    /** Environment variable with the bearer token. */
    static final String TOKEN_ENV = "MMED_INFERENCE_TOKEN";
    /** The token file the local stack writes, in {@code $MMED_HOME}. */
    static final String TOKEN_FILE = "inference-token";

    private Ask() {
    }

    /** Parsed arguments. */
    record Args(String question, Map<String, String> options, String language, boolean rationale, String host,
                int port, Optional<String> token, boolean tls, Optional<Path> ca, long timeoutSeconds) {
    }

    /** Wrong arguments, with what is wrong. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static final String USAGE = """
            usage: mmed ask "QUESTION" --option A=TEXT --option B=TEXT [--option C=TEXT ...] [options]

            Asks the running inference service (gRPC Answer RPC) a multiple-choice question and prints the chosen
            option letters, the rationale (with --rationale) and the model version that answered.

              --option K=TEXT   an option, K a capital letter A-Z (at least two)
              --lang LANGUAGE   English (default), Chinese, Japanese, French, Russian, Spanish, or en/zh/ja/fr/ru/es
              --rationale       ask for the reasoning before the answer
              --host HOST       inference host (default localhost)
              --port PORT       inference gRPC port (default 9000, or $MMED_INFERENCE_GRPC_PORT)
              --token TOKEN     bearer token; default $MMED_INFERENCE_TOKEN, else the file $MMED_HOME/inference-token
              --tls             connect with TLS (the system's trusted CAs, or --ca)
              --ca FILE         PEM file of the CA that signed the server's certificate (implies --tls)
              --timeout SECS    give up after this long (default 300)

            Exit status: 0 answered, 1 the service refused the question, 2 wrong arguments / service not running /
            token missing or refused.
            """;

    public static void main(String[] argv) {
        // The class path carries JBoss LogManager (gRPC and Kafka log through JUL): install it before anything logs.
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.exit(run(argv, System.getenv(), System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
        Args args;
        try {
            if (argv.length == 1 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
                out.print(USAGE);
                return 0;
            }
            args = parse(argv, env);
        } catch (UsageException e) {
            err.println("mmed ask: " + e.getMessage());
            err.print(USAGE);
            return EXIT_UNAVAILABLE;
        }
        ManagedChannel channel;
        try {
            channel = Grpc.newChannelBuilderForAddress(args.host(), args.port(), credentials(args)).build();
        } catch (IOException e) {
            err.println("mmed ask: cannot read the CA file: " + e.getMessage());
            return EXIT_UNAVAILABLE;
        }
        try {
            InferenceGrpc.InferenceBlockingStub stub = InferenceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(args.timeoutSeconds(), TimeUnit.SECONDS);
            if (args.token().isPresent()) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                        "Bearer " + args.token().get());
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            AnswerResponse answer = stub.answer(AnswerRequest.newBuilder().setQuestion(args.question())
                    .putAllOptions(args.options()).setLanguage(args.language())
                    .setWithRationale(args.rationale()).build());
            print(answer, args, out);
            return 0;
        } catch (StatusRuntimeException e) {
            return failure(e.getStatus(), args, err);
        } finally {
            channel.shutdownNow();
        }
    }

    private static ChannelCredentials credentials(Args args) throws IOException {
        if (!args.tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (args.ca().isPresent()) {
            tls.trustManager(args.ca().get().toFile());
        }
        return tls.build();
    }

    private static void print(AnswerResponse answer, Args args, PrintStream out) {
        if (answer.getChosenCount() == 0) {
            out.println("Answer: none could be read from the model's output (" + answer.getUnparseableReason() + ")");
            out.println("Output: " + answer.getRawOutput().strip());
        } else {
            StringBuilder line = new StringBuilder("Answer: ").append(String.join(", ", answer.getChosenList()));
            if (answer.getChosenCount() == 1) {
                line.append(" (").append(args.options().get(answer.getChosen(0))).append(')');
            }
            out.println(line);
        }
        if (args.rationale()) {
            out.println("Rationale: " + (answer.getRationale().isBlank() ? "(none given)"
                    : answer.getRationale().strip()));
        }
        out.println("Model: " + answer.getModel().getName() + " version " + answer.getModel().getVersion());
    }

    private static int failure(Status status, Args args, PrintStream err) {
        String where = args.host() + ":" + args.port();
        String detail = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        switch (status.getCode()) {
            case UNAVAILABLE -> {
                // The service's own UNAVAILABLE says why (no model yet, backend down); anything else is the transport.
                if (detail.startsWith("no model") || detail.startsWith("backend")) {
                    err.println("mmed ask: the inference service at " + where + " cannot answer now: " + detail);
                } else {
                    err.println("mmed ask: the inference service is not reachable at " + where + " (" + detail
                            + "); is the stack running (./mmed up)? does its port need --tls?");
                }
                return EXIT_UNAVAILABLE;
            }
            case DEADLINE_EXCEEDED -> {
                err.println("mmed ask: no answer from " + where + " within " + args.timeoutSeconds() + " s");
                return EXIT_UNAVAILABLE;
            }
            case UNAUTHENTICATED -> {
                err.println("mmed ask: the inference service refused the token (" + detail + "); pass --token, set "
                        + TOKEN_ENV + ", or check $MMED_HOME/" + TOKEN_FILE);
                return EXIT_UNAVAILABLE;
            }
            default -> {
                err.println("mmed ask: " + status.getCode() + ": " + detail);
                return EXIT_REFUSED;
            }
        }
    }

    /** Parses the command line; the token comes from --token, else the environment, else the token file. */
    static Args parse(String[] argv, Map<String, String> env) throws UsageException {
        String question = null;
        Map<String, String> options = new LinkedHashMap<>();
        String language = "";
        boolean rationale = false;
        String host = "localhost";
        int port = parsePort(env.getOrDefault("MMED_INFERENCE_GRPC_PORT", "9000"), "$MMED_INFERENCE_GRPC_PORT");
        String token = null;
        boolean tls = false;
        Path ca = null;
        long timeout = 300;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "--option", "-o" -> {
                    String value = value(argv, ++i, a);
                    int eq = value.indexOf('=');
                    if (eq < 0) {
                        throw new UsageException("--option needs K=TEXT, got '" + value + "'");
                    }
                    String key = value.substring(0, eq).strip();
                    if (key.length() != 1 || key.charAt(0) < 'A' || key.charAt(0) > 'Z') {
                        throw new UsageException("option key '" + key + "' is not a capital letter A-Z");
                    }
                    if (options.put(key, value.substring(eq + 1)) != null) {
                        throw new UsageException("option " + key + " is given twice");
                    }
                }
                case "--lang", "--language" -> language = value(argv, ++i, a);
                case "--rationale" -> rationale = true;
                case "--host" -> host = value(argv, ++i, a);
                case "--port" -> port = parsePort(value(argv, ++i, a), "--port");
                case "--token" -> token = value(argv, ++i, a);
                case "--tls" -> tls = true;
                case "--ca" -> {
                    ca = Path.of(value(argv, ++i, a));
                    tls = true;
                }
                case "--timeout" -> {
                    String v = value(argv, ++i, a);
                    try {
                        timeout = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        timeout = -1;
                    }
                    if (timeout < 1) {
                        throw new UsageException("--timeout needs a positive number of seconds, got '" + v + "'");
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new UsageException("unknown flag " + a);
                    }
                    if (question != null) {
                        throw new UsageException("one question only (quote it); unexpected '" + a + "'");
                    }
                    question = a;
                }
            }
        }
        if (question == null || question.isBlank()) {
            throw new UsageException("no question given");
        }
        if (options.size() < 2) {
            throw new UsageException("at least two options needed (--option A=... --option B=...), got "
                    + options.size());
        }
        return new Args(question, options, language, rationale, host, port, resolveToken(token, env), tls,
                Optional.ofNullable(ca), timeout);
    }

    /** --token, else $MMED_INFERENCE_TOKEN, else $MMED_HOME/inference-token (MMED_HOME default .mmed). */
    static Optional<String> resolveToken(String flag, Map<String, String> env) throws UsageException {
        if (flag != null && !flag.isBlank()) {
            return Optional.of(flag.strip());
        }
        String fromEnv = env.get(TOKEN_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.strip());
        }
        String home = env.get("MMED_HOME");
        Path file = Path.of(home == null || home.isBlank() ? ".mmed" : home).resolve(TOKEN_FILE);
        if (Files.isRegularFile(file)) {
            try {
                String token = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!token.isEmpty()) {
                    return Optional.of(token);
                }
            } catch (IOException e) {
                throw new UsageException("cannot read the token file " + file + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static String value(String[] argv, int i, String flag) throws UsageException {
        if (i >= argv.length) {
            throw new UsageException(flag + " needs a value");
        }
        return argv[i];
    }

    private static int parsePort(String value, String what) throws UsageException {
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(what + " must be a port number 1-65535, got '" + value + "'");
    }
}
