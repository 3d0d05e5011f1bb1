package io.mmedstream.inference.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the inference service ({@code mmed.inference.*}). */
@ConfigMapping(prefix = "mmed.inference")
public interface InferenceConfig {

    /** The Triton (KServe v2 gRPC) backend. */
    Triton triton();

    /** The served model and model switching. */
    Model model();

    /** Generate requests. */
    Generation generation();

    /** Answer requests. */
    Answering answer();

    /** Who may call the gRPC API and {@code /admin/*}. */
    Auth auth();

    /** Requests per client and second. */
    RateLimit rateLimit();

    /** Bounds on request fields (max_tokens is bounded by {@code generation.max-tokens-limit}). */
    Limits limits();

    /** Following the promotions eval publishes on {@code mmed.models.promoted.v1}. */
    Promotions promotions();

    interface Triton {
        /** Backend host. Default {@code localhost}. */
        @WithDefault("localhost")
        String host();

        /** Backend gRPC port (Triton's is 8001). Default {@code 8001}. */
        @WithDefault("8001")
        int port();

        /** Deadline of health and model-control calls to the backend. Default {@code 10S}. */
        @WithDefault("10S")
        Duration callTimeout();

        /** Deadline of one generation on the backend. Default {@code 5M}. */
        @WithDefault("5M")
        Duration generationTimeout();

        /** Deadline of one model load on the backend. Default {@code 10M}. */
        @WithDefault("10M")
        Duration loadTimeout();
    }

    interface Model {
        /** The Triton model name requests go to until a promotion names another. Default {@code mmed-llm}. */
        @WithDefault("mmed-llm")
        String name();

        /**
         * A version to load and serve at start-up, until a promotion names another (a promotion read first wins).
         * Without one: when promotions are followed, nothing serves until {@code mmed.models.promoted.v1} names a
         * version (the backend may hold versions eval has not promoted, such as a candidate under evaluation, so
         * none is adopted); when they are not, the service adopts the highest version the backend already has ready
         * for {@link #name()}. Until then it answers UNAVAILABLE. Default none.
         */
        Optional<String> initialVersion();

        /**
         * Backend named in the configuration sent with each load (explicit model control replaces config.pbtxt
         * for that load, to choose which versions serve). {@code vllm} works with Triton and with the local model
         * server. Default {@code vllm}.
         */
        @WithDefault("vllm")
        String backend();

        /** How long a promotion waits for the new version to report ready. Default {@code 10M}. */
        @WithDefault("10M")
        Duration readyTimeout();

        /**
         * How long a promotion waits for requests on the old version to finish before unloading it. Default
         * {@code 10M}.
         */
        @WithDefault("10M")
        Duration drainTimeout();
    }

    interface Generation {
        /** Requests (Generate and Answer together) running at once; beyond: RESOURCE_EXHAUSTED. Default {@code 16}. */
        @WithDefault("16")
        int maxConcurrent();

        /** max_tokens when a request leaves it unset. Default {@code 256}. */
        @WithDefault("256")
        int defaultMaxTokens();

        /** The largest max_tokens a request may ask for. Default {@code 4096}. */
        @WithDefault("4096")
        int maxTokensLimit();
    }

    interface Answering {
        /** Tokens an answer without rationale may take. Default {@code 32}. */
        @WithDefault("32")
        int maxTokens();

        /** Tokens an answer with rationale may take. Default {@code 512}. */
        @WithDefault("512")
        int rationaleMaxTokens();
    }

    interface Auth {
        /**
         * Whether every gRPC call (except {@code grpc.health.v1} and server reflection) and every {@code /admin/*}
         * request needs {@code authorization: Bearer <token>}. When true, {@link #tokens()} must name at least one
         * client or the service does not start. Default {@code true}.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * The clients and their tokens: comma-separated {@code client-id=token} pairs, tokens of at least 16
         * characters. A secret: set it only through the environment ({@code MMED_INFERENCE_TOKENS}). Default none.
         */
        Optional<String> tokens();

        /**
         * Client ids that may call {@code /admin/*} (promote, model); unset: every client of {@link #tokens()}.
         * Default unset.
         */
        Optional<List<String>> adminClients();
    }

    interface RateLimit {
        /** Whether calls are rate-limited per client (token bucket). Default {@code true}. */
        @WithDefault("true")
        boolean enabled();

        /** Sustained calls per second per client. Default {@code 50}. */
        @WithDefault("50")
        double requestsPerSecond();

        /** Calls a client may make at once after being idle (the bucket's size). Default {@code 100}. */
        @WithDefault("100")
        int burst();

        /** Per-client overrides, by client id ({@code rate-limit.clients.<id>.requests-per-second}). Default none. */
        Map<String, ClientRate> clients();

        /** One client's own rate. */
        interface ClientRate {
            /** Sustained calls per second. */
            double requestsPerSecond();

            /** Bucket size. */
            int burst();
        }
    }

    interface Limits {
        /** Largest prompt (Generate) or question (Answer), in UTF-8 bytes. Default {@code 65536}. */
        @WithDefault("65536")
        int promptMaxBytes();

        /** Most options a question may have. Default {@code 16}. */
        @WithDefault("16")
        int maxOptions();

        /** Largest option text, in UTF-8 bytes. Default {@code 4096}. */
        @WithDefault("4096")
        int optionMaxBytes();

        /** Most stop sequences a request may carry. Default {@code 8}. */
        @WithDefault("8")
        int maxStop();

        /** Largest stop sequence, in UTF-8 bytes. Default {@code 64}. */
        @WithDefault("64")
        int stopMaxBytes();
    }

    interface Promotions {
        /**
         * Whether to follow {@code mmed.models.promoted.v1} (Kafka at {@code kafka.bootstrap.servers}). When true,
         * only what the topic names (and {@code model.initial-version}) is served; when false, the service adopts
         * at start-up the highest version the backend has ready. Default {@code true}.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Follow only promotions of this model name; unset: every promotion on the topic (the latest wins). Default
         * unset.
         */
        Optional<String> model();

        /**
         * First wait after a failed promotion or an unreachable broker; doubles up to the maximum. Default
         * {@code 5S}.
         */
        @WithDefault("5S")
        Duration retryBackoff();

        /** Longest wait between two tries. Default {@code 5M}. */
        @WithDefault("5M")
        Duration retryMaxBackoff();
    }
}
