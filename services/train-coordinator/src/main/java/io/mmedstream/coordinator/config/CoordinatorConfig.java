package io.mmedstream.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the train-coordinator, {@code mmed.coordinator.*} (environment: {@code MMED_COORDINATOR_*}). */
@ConfigMapping(prefix = "mmed.coordinator")
public interface CoordinatorConfig {

    /** Which dispatcher runs rounds: {@code local} (a child process) or {@code kubernetes}. Default: local. */
    @WithDefault("local")
    String dispatcher();

    /** Topics, consumer group and transactions. */
    Kafka kafka();

    /** When a round is due. */
    Policy policy();

    /** How languages are mixed in a round. */
    Mixing mixing();

    /** How rounds train. */
    Training training();

    /** Where a lineage starts. */
    Model model();

    /** Retries, timeouts and progress. */
    Rounds rounds();

    /** The local dispatcher. */
    Local local();

    /** The Kubernetes dispatcher. */
    Kubernetes kubernetes();

    interface Kafka {

        /** Topic of ShardReady announcements. Default: mmed.shards.ready.v1. */
        @WithDefault("mmed.shards.ready.v1")
        String shardsTopic();

        /** Compacted topic of round states. Default: mmed.train.rounds.v1. */
        @WithDefault("mmed.train.rounds.v1")
        String roundsTopic();

        /** Topic of CheckpointReady announcements. Default: mmed.checkpoints.v1. */
        @WithDefault("mmed.checkpoints.v1")
        String checkpointsTopic();

        /**
         * Election topic: one partition, no records; the instance that holds it is the active coordinator (see
         * {@code groupId}). Default: mmed.train.leader.v1.
         */
        @WithDefault("mmed.train.leader.v1")
        String leaderTopic();

        /**
         * Consumer group whose committed offsets say which announcements were taken; the election group is this id
         * with {@code -leader} appended. Default: mmed-train-coordinator.
         */
        @WithDefault("mmed-train-coordinator")
        String groupId();

        /**
         * Transactional id of the producer. The same for every incarnation of the coordinator: the instance elected
         * through the election topic fences the previous leader, whose transactions then fail, so two coordinators
         * never both write rounds; only the elected instance initialises it. Default: ${quarkus.application.name}.
         */
        @WithDefault("${quarkus.application.name}")
        String transactionalId();

        /** Longest wait of one poll; also how often timers and admin requests are looked at. Default: 500ms. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /** Pause before reconnecting after a failure; doubled while it keeps failing. Positive. Default: 1s. */
        @WithDefault("1s")
        Duration retryBackoff();

        /** Longest pause between reconnections. Positive. Default: 30s. */
        @WithDefault("30s")
        Duration maxRetryBackoff();
    }

    interface Policy {

        /** New tokens (of the round's tokenizer) that make a round due at once. Default: 2000000. */
        @WithDefault("2000000")
        long minNewTokens();

        /** How long the oldest pooled shard may wait before a smaller round is due. Default: 10m. */
        @WithDefault("10m")
        Duration maxWait();

        /** The least tokens of a round made due by max-wait. Default: 20000. */
        @WithDefault("20000")
        long minTokensAfterWait();

        /** Most tokens one round takes, oldest shards first (0: all). Default: 0. */
        @WithDefault("0")
        long maxTokensPerRound();

        /**
         * SHA-256 of the tokenizer.json every round must use. Default: none: the lineage's tokenizer (that of the
         * last successful round, else the base checkpoint's), else that of the oldest pooled shard.
         */
        Optional<String> tokenizerSha256();
    }

    interface Mixing {

        /** {@code weights} or {@code temperature}. Default: weights. */
        @WithDefault("weights")
        String mode();

        /**
         * Language weights, {@code lang=weight,...}, any positive scale. Default: the MMedC proportions,
         * en=10.56,zh=4.74,es=4.35,fr=2.10,ja=2.05,ru=1.69 (billions of tokens).
         */
        @WithDefault("en=10.56,zh=4.74,es=4.35,fr=2.10,ja=2.05,ru=1.69")
        String weights();

        /** T of temperature sampling, p(l) proportional to tokens(l)^(1/T). Default: 3. */
        @WithDefault("3")
        double temperature();

        /**
         * Fewest tokens a language needs in a round to be sampled, in windows of seq_len (a language with less may
         * own no window). Default: 4.
         */
        @WithDefault("4")
        int minLanguageWindows();
    }

    interface Training {

        /** Passes over a round's tokens. Default: 1. */
        @WithDefault("1")
        double epochs();

        /** Fewest optimizer steps of a round. Default: 1. */
        @WithDefault("1")
        int minSteps();

        /** Most optimizer steps of a round (0: no limit). Default: 0. */
        @WithDefault("0")
        int maxSteps();

        /**
         * Windows per forward pass per process. Small by default: on a CPU the logits of one 2048-token window over
         * InternLM2's 92,544-token vocabulary already take 0.75 GB. Default: 1.
         */
        @WithDefault("1")
        int microBatchSize();

        /** Micro-batches per optimizer step. Default: 4. */
        @WithDefault("4")
        int gradAccum();

        /** Peak learning rate when continuing a base checkpoint (the MMedLM recipe). Default: 2e-5. */
        @WithDefault("2e-5")
        double learningRate();

        /** Peak learning rate of a lineage that started from a fresh model. Default: 1e-3. */
        @WithDefault("1e-3")
        double freshLearningRate();

        /** Checkpoint interval in steps (0: only at the end). Default: 100. */
        @WithDefault("100")
        int saveEvery();

        /** Training sequence length (0: that of most of the round's tokens). Default: 0. */
        @WithDefault("0")
        int seqLen();

        /** Further trainer arguments, comma-separated (e.g. --compile). Default: none. */
        Optional<List<String>> extraArgs();
    }

    interface Model {

        /**
         * The Hugging Face checkpoint the first round continues from (a directory path or file: URI as the trainer
         * sees it). Default: none: the first round trains a fresh model.
         */
        Optional<String> baseCheckpoint();

        /** config.json of a fresh model. Default: the bundled 2-layer, hidden-128 Llama (tiny-llama-config.json). */
        Optional<Path> freshConfig();
    }

    interface Rounds {

        /** Attempts per round before it is FAILED. Default: 3. */
        @WithDefault("3")
        int maxAttempts();

        /** Pause before the second attempt; doubled for each further one. Positive. Default: 10s. */
        @WithDefault("10s")
        Duration retryBackoff();

        /** Longest pause between attempts. Positive. Default: 10m. */
        @WithDefault("10m")
        Duration maxRetryBackoff();

        /**
         * Pause before starting an attempt again when the dispatcher was unavailable (the Kubernetes API did not
         * answer, or answered 429 or 5xx); doubled while it stays unavailable. Such a try uses up no attempt: the
         * round stays DISPATCHED with the same attempt until it starts. Positive (a zero pause would never grow, and
         * the API server would be asked again at once, for as long as it is down). Default: 5s.
         */
        @WithDefault("5s")
        Duration dispatchRetryBackoff();

        /**
         * Longest pause between tries to start an attempt while the dispatcher is unavailable. Positive. Default: 2m.
         */
        @WithDefault("2m")
        Duration maxDispatchRetryBackoff();

        /** An attempt that reports no progress for this long is stopped and retried (hung). Default: 15m. */
        @WithDefault("15m")
        Duration stallTimeout();

        /**
         * Longest an attempt may run before it is stopped and retried, from when it was dispatched, or from when it did
         * start when its start was put off (an outage of the dispatcher, a restart before it ran). Default: 24h.
         */
        @WithDefault("24h")
        Duration attemptTimeout();

        /** How often the progress of a running round is written to the rounds topic. Default: 10s. */
        @WithDefault("10s")
        Duration progressInterval();

        /** How long a stopped trainer may take to checkpoint before it is killed. Default: 60s. */
        @WithDefault("60s")
        Duration stopGrace();
    }

    interface Local {

        /**
         * Python interpreter of the trainer. Default: the first of python3, /usr/bin/python3 that can import torch,
         * decided at the first dispatch.
         */
        Optional<String> python();

        /**
         * A command that replaces {@code <python> -m mmed_trainer} (the trainer's arguments follow it),
         * comma-separated. Default: none.
         */
        Optional<List<String>> command();

        /** The trainer's folder, put on PYTHONPATH. Default: services/trainer. */
        @WithDefault("services/trainer")
        Path trainerDir();

        /** Where round manifests and trainer logs go. Default: .mmed/rounds. */
        @WithDefault(".mmed/rounds")
        Path workDir();

        /** Where rounds write checkpoints. Default: .mmed/checkpoints. */
        @WithDefault(".mmed/checkpoints")
        Path checkpointsDir();

        /** CPU threads of the trainer. Default: the trainer's choice (all cores). */
        Optional<Integer> threads();

        /** Tokenizer files to copy into checkpoints. Default: the one tokenize published beside the shards. */
        Optional<Path> tokenizerDir();
    }

    interface Kubernetes {

        /** Namespace of the Jobs. Default: the client's (the coordinator's own in a cluster). */
        Optional<String> namespace();

        /** {@code job} (batch/v1) or {@code trainjob} (Kubeflow Trainer v2). Default: job. */
        @WithDefault("job")
        String kind();

        /** The trainer image. Default: mmedstream/trainer:latest. */
        @WithDefault("mmedstream/trainer:latest")
        String image();

        /** Image pull policy. Default: IfNotPresent. */
        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** Service account of the trainer pods. Default: the namespace's default. */
        Optional<String> serviceAccount();

        /** Nodes per round. Default: 1. */
        @WithDefault("1")
        int nodes();

        /** GPUs per node. Default: 1. */
        @WithDefault("1")
        int gpusPerNode();

        /** Trainer processes per node (torchrun --nproc-per-node). Default: the GPUs per node, at least 1. */
        Optional<Integer> procsPerNode();

        /** The GPU resource name. Default: nvidia.com/gpu. */
        @WithDefault("nvidia.com/gpu")
        String gpuResource();

        /** CPU request and limit per node. Default: none. */
        Optional<String> cpu();

        /** Memory request and limit per node. Default: none. */
        Optional<String> memory();

        /** Node selector, {@code key=value,...}. Default: none. */
        Optional<String> nodeSelector();

        /** Tolerations, {@code key[=value][:Effect]}, comma-separated. Default: none. */
        Optional<List<String>> tolerations();

        /** PVC with the shards (mounted read-only). Default: mmed-shards. */
        @WithDefault("mmed-shards")
        String shardsClaim();

        /** Where the shards volume is mounted. Default: /shards. */
        @WithDefault("/shards")
        String shardsMountPath();

        /** The prefix of ShardReady URIs that stands for the shards volume. Default: file:///shards. */
        @WithDefault("file:///shards")
        String shardsUriPrefix();

        /** PVC for checkpoints. Default: mmed-checkpoints. */
        @WithDefault("mmed-checkpoints")
        String checkpointsClaim();

        /** Where the checkpoints volume is mounted. Default: /checkpoints. */
        @WithDefault("/checkpoints")
        String checkpointsMountPath();

        /**
         * The URI of the checkpoints volume's root, as CheckpointReady names checkpoints. Default: file:///checkpoints.
         */
        @WithDefault("file:///checkpoints")
        String checkpointsUriPrefix();

        /** Kueue queue (label kueue.x-k8s.io/queue-name). Default: none. */
        Optional<String> queueName();

        /** ClusterTrainingRuntime of TrainJobs. Default: torch-distributed. */
        @WithDefault("torch-distributed")
        String trainJobRuntime();

        /** Rendezvous port of multi-node Jobs. Default: 29500. */
        @WithDefault("29500")
        int masterPort();

        /** How long finished Jobs are kept (for their logs). Default: 1d. */
        @WithDefault("1d")
        Duration ttlAfterFinished();

        /** How often executions are polled (besides the watch). Default: 10s. */
        @WithDefault("10s")
        Duration pollInterval();

        /** Log lines read per poll. Default: 200. */
        @WithDefault("200")
        int logTailLines();

        /** Extra trainer environment, {@code NAME=value,...}. Default: none. */
        Optional<String> env();

        /** Python in the image, for single-process rounds. Default: python. */
        @WithDefault("python")
        String python();

        /**
         * Tokenizer files in the pod to copy into checkpoints. Default: the one tokenize published beside the shards.
         */
        Optional<String> tokenizerDir();
    }
}
