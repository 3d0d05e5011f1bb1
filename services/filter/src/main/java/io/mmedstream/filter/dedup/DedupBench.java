package io.mmedstream.filter.dedup;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import io.mmedstream.filter.dedup.NearDupTestSet.Doc;

/**
 * Throughput of the deduplication step alone, one thread, no Kafka: the shingling and MinHash signature, then the
 * whole step as the filter runs it (exact lookup, LSH lookup and verification, insertion at each "batch" commit of
 * 500 documents), on the documents of a corpus (seeded sample of about the given size). One warm-up pass, then
 * five timed passes. Reports throughput per second of the thread's CPU time (what one core does, whatever else runs
 * on the machine), and per wall-clock second.
 */
public final class DedupBench {

    private static final int BATCH = 500;

    private DedupBench() {
    }

    static void run(List<Doc> corpus, DedupSettings settings, long maxBytes, long seed, PrintStream out) {
        List<Doc> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(seed));
        List<Doc> docs = new ArrayList<>();
        long bytes = 0;
        for (Doc d : shuffled) {
            if (bytes >= maxBytes) {
                break;
            }
            docs.add(d);
            bytes += d.text().getBytes(StandardCharsets.UTF_8).length;
        }
        out.printf(Locale.ROOT, "%nDedup throughput (one thread, %s): %d documents, %.2f MB of UTF-8 text%n",
                settings.scheme(), docs.size(), bytes / 1e6);
        Deduplicator signer = Deduplicator.inMemory(settings);
        long finalBytes = bytes;
        report(out, "signature only (shingles + MinHash)", docs.size(), finalBytes, () -> {
            long sink = 0;
            for (Doc d : docs) {
                int[] s = signer.signature(d.text(), d.lang());
                sink += s == null ? 0 : s[0];
            }
            return sink;
        });
        report(out, "full step (exact + near lookup, commit)", docs.size(), finalBytes, () -> {
            Deduplicator dedup = Deduplicator.inMemory(settings);
            long duplicates = 0;
            for (int i = 0; i < docs.size(); i++) {
                Doc d = docs.get(i);
                DedupOutcome o = dedup.check(new DedupRequest("doc-" + i, i % 3, i, "event-" + i, null, -1, -1,
                        "bench", d.text(), d.lang(), 0L));
                duplicates += o.duplicate() ? 1 : 0;
                if ((i + 1) % BATCH == 0) {
                    dedup.commit();
                }
            }
            dedup.commit();
            return duplicates;
        });
    }

    private interface Pass {
        long run();
    }

    private static void report(PrintStream out, String what, int docs, long bytes, Pass pass) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long result = pass.run(); // warm-up
        double[] cpu = new double[5];
        double[] wall = new double[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            result = pass.run();
            wall[i] = (System.nanoTime() - start) / 1e9;
            cpu[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        out.printf(Locale.ROOT, "  %-40s per CPU second: %7.0f docs/s %6.1f MB/s (median of %d; best %.1f MB/s);"
                + " wall clock: %.1f MB/s (%d)%n", what, docs / cpu[cpu.length / 2], bytes / 1e6 / cpu[cpu.length / 2],
                cpu.length, bytes / 1e6 / cpu[0], bytes / 1e6 / wall[wall.length / 2], result);
    }
}
