package io.mmedstream.local.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.tokenize.service.ModelTokenizer;
import io.mmedstream.tokenize.service.ShardBuilder;

/**
 * The pipeline's work without the pipeline: the same {@link DocumentFilter} and {@link ModelTokenizer} /
 * {@link ShardBuilder} code the services run, called in a loop in this JVM with no Kafka, no serialisation and no
 * transactions. Stage by stage, each over every document, on {@code threads} threads that take documents from a
 * shared counter; shards go to a temporary directory (deleted afterwards) with the service's default size.
 */
public final class BareRun {

    /** Sequence length and shard size of the tokenize service's defaults. */
    static final int SEQ_LEN = 2048;
    static final long SHARD_TARGET_TOKENS = 1_048_576;

    private BareRun() {
    }

    public static BareResult run(BenchCorpus corpus, int threads) {
        List<BenchCorpus.BenchDocument> docs = corpus.documents();
        DocumentFilter filter = DocumentFilter.withDefaults();
        warmUp(filter, docs);
        FilterVerdict[] verdicts = new FilterVerdict[docs.size()];
        long t0 = System.nanoTime();
        parallel(threads, worker -> {
            AtomicInteger next = worker.next();
            for (int i = next.getAndIncrement(); i < docs.size(); i = next.getAndIncrement()) {
                verdicts[i] = filter.classify(docs.get(i).text(), docs.get(i).lang());
            }
            return null;
        });
        Duration filterTime = Duration.ofNanos(System.nanoTime() - t0);

        List<Integer> accepted = new ArrayList<>();
        long acceptedBytes = 0;
        for (int i = 0; i < verdicts.length; i++) {
            if (verdicts[i].accepted()) {
                accepted.add(i);
                acceptedBytes += docs.get(i).textBytes();
            }
        }
        Path shardDir = tempDir();
        try (ModelTokenizer tokenizer = ModelTokenizer.loadDefault()) {
            tokenizer.encode(docs.get(0).text());
            long t1 = System.nanoTime();
            List<long[]> perWorker = parallel(threads, worker -> {
                AtomicInteger next = worker.next();
                ShardBuilder shard = ShardBuilder.forTokenizer(tokenizer, SEQ_LEN);
                long tokens = 0;
                long shards = 0;
                long offset = 0;
                for (int k = next.getAndIncrement(); k < accepted.size(); k = next.getAndIncrement()) {
                    int i = accepted.get(k);
                    shard.add("bench-" + i, verdicts[i].lang(), offset++, tokenizer.encode(docs.get(i).text()));
                    if (shard.tokenCount() >= SHARD_TARGET_TOKENS) {
                        tokens += shard.tokenCount();
                        shard.writeTo(shardDir, "bench-w" + worker.index() + "-" + shards++);
                        shard = ShardBuilder.forTokenizer(tokenizer, SEQ_LEN);
                    }
                }
                if (!shard.isEmpty()) {
                    tokens += shard.tokenCount();
                    shard.writeTo(shardDir, "bench-w" + worker.index() + "-" + shards++);
                }
                return new long[] {tokens, shards};
            });
            Duration tokenizeTime = Duration.ofNanos(System.nanoTime() - t1);
            long tokens = perWorker.stream().mapToLong(a -> a[0]).sum();
            int shards = (int) perWorker.stream().mapToLong(a -> a[1]).sum();
            return new BareResult(threads, filterTime, accepted.size(), acceptedBytes, tokenizeTime, tokens, shards);
        } finally {
            deleteTree(shardDir);
        }
    }

    /**
     * The services load their models when they start, before any document arrives; here that happens on the first
     * document of each language, which must not count as filtering time.
     */
    private static void warmUp(DocumentFilter filter, List<BenchCorpus.BenchDocument> docs) {
        Set<String> seen = new HashSet<>();
        for (BenchCorpus.BenchDocument doc : docs) {
            if (seen.add(String.valueOf(doc.lang()))) {
                filter.classify(doc.text(), doc.lang());
            }
        }
    }

    /** One worker thread's view: its number and the counter all workers take items from. */
    private record Worker(int index, AtomicInteger next) {
    }

    private interface Task<T> {
        T run(Worker worker) throws IOException;
    }

    private static <T> List<T> parallel(int threads, Task<T> task) {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                Worker worker = new Worker(w, next);
                futures.add(pool.submit(() -> task.run(worker)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw new IllegalStateException("bare run failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("mmed-bench-shards");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing the benchmark for
        }
    }
}
