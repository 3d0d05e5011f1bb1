package io.mmedstream.eval.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the eval service ({@code mmed.eval.*}). */
@ConfigMapping(prefix = "mmed.eval")
public interface EvalConfig {

    /** The Triton-layout model repository the backend serves from (env MMED_MODEL_REPOSITORY); default model-repository. */
    @WithDefault("model-repository")
    String modelRepository();

    /** Model name checkpoints are added under in the repository; default mmed-llm. */
    @WithDefault("mmed-llm")
    String modelName();

    /**
     * Model name a candidate is measured under (its own entry in the repository, holding only the candidate's
     * version), so that eval never loads or unloads the model inference serves; default the model name + "-candidate".
     */
    Optional<String> candidateModelName();

    /**
     * vLLM engine arguments written into each version's model.json next to "model", as a JSON object (env
     * MMED_EVAL_ENGINE_ARGS), e.g. {"gpu_memory_utilization": 0.28}; default none.
     */
    Optional<String> engineArgs();

    /** The candidate model name in effect. */
    default String candidateModel() {
        return candidateModelName().filter(n -> !n.isBlank()).orElse(modelName() + "-candidate");
    }

    /** Where report directories are written, one per checkpoint; default eval-reports. */
    @WithDefault("eval-reports")
    String reportsDir();

    /** The serving backend. */
    Backend backend();

    /** The benchmark. */
    Benchmark benchmark();

    /** The promotion policy. */
    Promotion promotion();

    /** Kafka consumption. */
    Consumer consumer();

    /** The KServe v2 gRPC backend (Triton, or the local model server). */
    interface Backend {
        /** Host of the backend's gRPC endpoint; default localhost. */
        @WithDefault("localhost")
        String host();

        /** Its gRPC port (Triton's is 8001); default 8001. */
        @WithDefault("8001")
        int port();

        /** The backend written into the load configuration: mmed-llama (local model server) or vllm; default mmed-llama. */
        @WithDefault("mmed-llama")
        String modelBackend();

        /** Token limit of each answer (a rationale needs room); default 512. */
        @WithDefault("512")
        int maxTokens();

        /** Generations running at once; default 2. */
        @WithDefault("2")
        int concurrency();
    }

    /** The benchmark set. */
    interface Benchmark {
        /** Directory of {@code <Language>.jsonl} files; empty: the small embedded set (resource benchmark/mini); default empty. */
        Optional<String> dir();

        /** Ask for a rationale before the answer (REFERENCE §2's second instruction); default false. */
        @WithDefault("false")
        boolean withRationale();
    }

    /** When a checkpoint replaces the serving one. */
    interface Promotion {
        /** Required gain of the mean accuracy over the serving checkpoint, in percentage points; default 1.0. */
        @WithDefault("1.0")
        double margin();

        /** Largest allowed drop of any one language, in percentage points; default 2.0. */
        @WithDefault("2.0")
        double tolerance();
    }

    /** The CheckpointReady consumer. */
    interface Consumer {
        /** Consumer group id; default mmed-eval. */
        @WithDefault("mmed-eval")
        String groupId();

        /** How long one poll waits (also the heartbeat of a long evaluation); default 500ms. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /** Wait before the first retry of a failed evaluation, doubled after each further failure; default 5s. */
        @WithDefault("5s")
        Duration retryBackoff();

        /** Longest wait between retries; default 5m. */
        @WithDefault("5m")
        Duration maxRetryBackoff();

        /**
         * Evaluations of one checkpoint that may fail (a load the backend refuses, a failing generation) before eval
         * gives up on it, writes failure.json in its report directory and moves on; failures of an unreachable or
         * busy backend do not count (they are retried until it is back); default 3.
         */
        @WithDefault("3")
        int maxAttempts();

        /** Whether the consumer starts with the application (tests of the plain logic switch it off); default true. */
        @WithDefault("true")
        boolean enabled();
    }
}
