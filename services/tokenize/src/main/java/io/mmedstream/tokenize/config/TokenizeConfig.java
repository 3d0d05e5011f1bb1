package io.mmedstream.tokenize.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the tokenize service, {@code mmed.tokenize.*} (environment: {@code MMED_TOKENIZE_*}). */
@ConfigMapping(prefix = "mmed.tokenize")
public interface TokenizeConfig {

    /** The tokenizer. */
    Tokenizer tokenizer();

    /** Shard packing and closing. */
    Shard shard();

    /** Shard storage. */
    Storage storage();

    /** The Kafka consumer loop. Connection settings come from {@code kafka.*} (e.g. kafka.bootstrap.servers). */
    Kafka kafka();

    interface Tokenizer {

        /**
         * A Hugging Face tokenizer.json (or the folder holding it, with its tokenizer_config.json) to use instead of
         * the bundled one. Default: none, the bundled InternLM2 tokenizer.
         */
        Optional<Path> path();

        /**
         * Short name of the tokenizer, recorded in every shard and the first part of shard ids; name a tokenizer
         * loaded from {@code path} here. Default: internlm2.
         */
        @WithDefault("internlm2")
        String name();

        /** The end-of-sequence token appended to every document. Default: eos_token of tokenizer_config.json. */
        Optional<String> eosToken();
    }

    interface Shard {

        /** Training sequence length the shards are packed for (recorded in the manifest). Default: 2048. */
        @WithDefault("2048")
        int seqLen();

        /** A shard is closed once it holds at least this many tokens. Default: 1048576. */
        @WithDefault("1048576")
        long targetTokens();

        /** A non-empty shard is closed when its partition has delivered nothing for this long. Default: 5s. */
        @WithDefault("5s")
        Duration maxIdle();

        /** A non-empty shard is closed this long after its first document, however busy. Default: 5m. */
        @WithDefault("5m")
        Duration maxAge();
    }

    interface Storage {

        /** Directory that receives the shards (created if missing). Default: .mmed/shards (relative to the working directory). */
        @WithDefault(".mmed/shards")
        Path dir();
    }

    interface Kafka {

        /** Consumer group of the service; one group per storage directory and tokenizer. Default: mmed-tokenize. */
        @WithDefault("mmed-tokenize")
        String groupId();

        /**
         * Transactional id of the producer: stable across restarts of one instance, unique among instances.
         * Default: ${quarkus.application.name}-${mmed.instance-id}.
         */
        @WithDefault("${quarkus.application.name}-${mmed.instance-id}")
        String transactionalId();

        /** Most records one poll returns. Default: 200. */
        @WithDefault("200")
        int maxPollRecords();

        /** How long one poll waits for records; also how often idle shards are checked. Default: 500ms. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /**
         * Consumer session timeout: how soon the group notices a dead instance and hands its partitions on.
         * Default: 10s.
         */
        @WithDefault("10s")
        Duration sessionTimeout();

        /** First wait before the loop reconnects after a failure; doubled on each failure in a row. Default: 1s. */
        @WithDefault("1s")
        Duration retryBackoff();

        /** Longest wait between reconnection attempts. Default: 30s. */
        @WithDefault("30s")
        Duration maxRetryBackoff();

        /** How long shutdown waits for the loop to commit its open shards and stop. Default: 30s. */
        @WithDefault("30s")
        Duration shutdownTimeout();
    }
}
