package io.mmedstream.local.bench;

import java.time.Duration;

/**
 * What the bare run (filter and tokenize code in one JVM, no Kafka) measured.
 *
 * @param threads worker threads used
 * @param filterTime time to classify every document
 * @param accepted documents the filter accepted
 * @param acceptedTextBytes UTF-8 bytes of their texts
 * @param tokenizeTime time to tokenize the accepted documents and write them into shards
 * @param tokens tokens written, one EOS per document included
 * @param shards shards written
 */
public record BareResult(int threads, Duration filterTime, long accepted, long acceptedTextBytes,
        Duration tokenizeTime, long tokens, int shards) {

    /** Both stages, one after the other. */
    public Duration total() {
        return filterTime.plus(tokenizeTime);
    }
}
