package io.mmedstream.modelserver.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the local model server ({@code mmed.model-server.*}). */
@ConfigMapping(prefix = "mmed.model-server")
public interface ModelServerConfig {

    /** The model repository. */
    Repository repository();

    /** Generation threads and limits. */
    Generation generation();

    /** What ServerMetadata reports. */
    Server server();

    interface Repository {
        /**
         * Folder of the Triton-layout model repository ({@code <path>/<model>/config.pbtxt} + version folders).
         * Default: {@code model-repository} (relative to the working directory).
         */
        @WithDefault("model-repository")
        String path();

        /**
         * Models to load at start-up, like Triton's {@code --load-model} in explicit mode; a model that fails to load
         * is logged and left unloaded. Default: none.
         */
        Optional<List<String>> loadOnStartup();

        /**
         * How long a model version that leaves service (unload, or replaced by a reload) waits for its running
         * requests before cancelling them. Default: 5M.
         */
        @WithDefault("5M")
        Duration drainTimeout();
    }

    interface Generation {
        /** Generations that run at the same time. Default: 2. */
        @WithDefault("2")
        int concurrency();

        /** Generations that may wait for a free slot; beyond that requests get RESOURCE_EXHAUSTED. Default: 32. */
        @WithDefault("32")
        int queueCapacity();

        /**
         * Threads that share each forward pass's matrix products; 0 means one per available processor. Default: 0.
         */
        @WithDefault("0")
        int computeThreads();
    }

    interface Server {
        /** Server name in ServerMetadata. Default: mmed-model-server. */
        @WithDefault("mmed-model-server")
        String name();

        /** Server version in ServerMetadata. Default: the build's version. */
        @WithDefault("${quarkus.application.version:0}")
        String version();
    }
}
