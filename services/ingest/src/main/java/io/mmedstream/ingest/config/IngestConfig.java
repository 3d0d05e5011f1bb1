package io.mmedstream.ingest.config;

import java.time.Duration;

import io.mmedstream.ingest.service.IngestLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/** Configuration of ingest, under {@code mmed.ingest}. */
@ConfigMapping(prefix = "mmed.ingest")
public interface IngestConfig {

    /** Size limits; their keys sit directly under {@code mmed.ingest}. */
    @WithParentName
    Limits limits();

    /** What happens when a batch's transaction aborts. */
    Retry retry();

    /** Size limits, in bytes. */
    interface Limits {

        /**
         * Largest document text, in UTF-8 bytes after normalisation; longer texts are rejected with
         * {@code too_large}. Default 8388608 (8 MiB, {@code Topics.MAX_TEXT_BYTES}).
         */
        @WithDefault("8388608")
        int maxTextBytes();

        /**
         * Largest submission value that is parsed at all; a larger value is rejected with {@code too_large} unread.
         * The broker refuses records over 20 MiB already, so this only matters where the broker allows more.
         * Default 20971520 (20 MiB, {@code Topics.MAX_RECORD_BYTES}).
         */
        @WithDefault("20971520")
        int maxSubmissionBytes();

        /**
         * How many bytes of a rejected submission its {@code DocumentRejected.original} keeps; longer ones are
         * truncated and flagged {@code original_truncated}. Default 1048576 (1 MiB).
         */
        @WithDefault("1048576")
        int maxOriginalBytes();

        /**
         * Largest event ingest writes. A submission that would become a larger {@code DocumentIngested} (large
         * metadata next to a large text) is rejected with {@code too_large}: the producer could never send it. Keep
         * it below the producer's {@code max.request.size}. Default 20905984 (20 MiB - 64 KiB).
         */
        @WithDefault("20905984")
        int maxEventBytes();

        /** These limits for the processor. */
        default IngestLimits toLimits() {
            return new IngestLimits(maxTextBytes(), maxSubmissionBytes(), maxOriginalBytes(), maxEventBytes());
        }
    }

    /** Behaviour after an aborted transaction. */
    interface Retry {

        /**
         * Pause after a batch's transaction aborted (broker unreachable, producer fenced, rebalance) before the
         * rewound batch is consumed again, so a broken broker is not hammered. Default 1s.
         */
        @WithDefault("1s")
        Duration backoff();
    }
}
