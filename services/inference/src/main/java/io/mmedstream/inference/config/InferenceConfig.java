package io.mmedstream.inference.config;

import java.time.Duration;
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
        /** The Triton model name requests go to until a promotion names another. Default {@code mmed}. */
        @WithDefault("mmed")
        String name();

        /**
         * A version to load and serve at start-up; without one the service adopts the highest version the backend
         * already has ready for {@link #name()}, and answers UNAVAILABLE until there is one. Default none.
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
}
