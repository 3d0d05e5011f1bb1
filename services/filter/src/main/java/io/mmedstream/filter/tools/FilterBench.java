package io.mmedstream.filter.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import com.fasterxml.jackson.databind.JsonNode;

import io.mmedstream.filter.dedup.DedupRequest;
import io.mmedstream.filter.dedup.DedupSettings;
import io.mmedstream.filter.dedup.Deduplicator;
import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterSettings;

/**
 * The filter's bare single-thread throughput, per stage and in total (no Kafka): {@code FilterBench --corpus PATH}.
 *
 * <p>Reads a JSON-lines corpus ({@code {"text", "lang"?}}, plain or .gz; the shared bench corpus is
 * {@code ../shared/data/bench-corpus.jsonl.gz}) into memory, then on one thread measures, each as the best of
 * {@code --repeat} passes after one warm-up pass, the thread's CPU time (ThreadMXBean), the process' CPU time (all
 * threads: Lingua hands its n-gram work to the common fork-join pool, whose time the thread's figure misses; also
 * garbage collection) and wall time (what a loaded machine gives). The process figure is the honest cost per core
 * on a machine where nothing else of this JVM runs:
 * <ul>
 * <li>the whole decision ({@link DocumentFilter#classify}) with three engines: <b>before</b> (the filter before the
 * quality work: language identification and the paper's {@code mmedc} relevance, no quality rules, no PII masking),
 * <b>mmedc</b> with quality and PII, and the default <b>lexical-v2</b> with quality and PII;</li>
 * <li>the <b>full filter</b>: the default engine, then for each accepted document the deduplication step as the
 * service runs it (exact, then near; in-memory state, committed every 500 documents, fresh for each pass). The doc
 * ids are the SHA-256 of the text, computed while reading, as ingest computes them before the filter;</li>
 * <li>each stage alone on every document: language identification, relevance in both modes (in the detected
 * language), the quality rules, PII masking and deduplication (on the documents the default engine accepts).</li>
 * </ul>
 * MB/s are megabytes (10^6) of UTF-8 text per second; the ratio compares the full filter with "before".
 * {@code --skip}, {@code --limit} and {@code --langs} (the corpus' declared languages) pick a slice.
 */
public final class FilterBench {

    static final String USAGE = """
            usage: FilterBench --corpus PATH [--repeat N] [--skip DOCS] [--limit DOCS] [--langs en,fr,...] [--json]
              Single-thread throughput of the filter (no Kafka): the whole decision with the "before" engine
              (language ID + mmedc relevance), mmedc + quality + PII and the default lexical-v2 + quality + PII, the
              full filter (default engine + exact and near deduplication), and each stage alone, in CPU-time and
              wall-time MB/s (best of N passes after a warm-up; default N = 3).
              --skip, --limit: leave out the first DOCS documents, read at most DOCS documents (after --langs);
              --langs: only documents whose "lang" field is one of these.
            """;

    private FilterBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** One measurement: CPU and wall seconds of the best pass, and the bytes one pass reads. */
    record Timing(String name, long bytes, int docs, double cpuSeconds, double processCpuSeconds,
            double wallSeconds) {
        double cpuMbPerSecond() {
            return bytes / 1e6 / cpuSeconds;
        }

        double processCpuMbPerSecond() {
            return bytes / 1e6 / processCpuSeconds;
        }

        double wallMbPerSecond() {
            return bytes / 1e6 / wallSeconds;
        }
    }

    record Doc(String text, String lang, long bytes, String docId) {
    }

    /** The rows of the report, in order (the JSON names them too). */
    static final String BEFORE = "total: before (language ID + mmedc)";
    static final String MMEDC = "total: mmedc + quality + PII";
    static final String DEFAULT = "total: lexical-v2 + quality + PII (default)";
    static final String FULL = "total: full filter (default + exact and near dedup)";

    static int run(String[] args, PrintStream out, PrintStream err) {
        ToolSupport.quietLogging();
        String corpus = null;
        int repeat = 3;
        int skip = 0;
        int limit = Integer.MAX_VALUE;
        Set<String> langs = null;
        boolean json = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--corpus" -> corpus = ToolSupport.valueOf(args, i++, "--corpus");
                    case "--repeat" -> repeat = Integer.parseInt(ToolSupport.valueOf(args, i++, "--repeat"));
                    case "--skip" -> skip = Integer.parseInt(ToolSupport.valueOf(args, i++, "--skip"));
                    case "--limit" -> limit = Integer.parseInt(ToolSupport.valueOf(args, i++, "--limit"));
                    case "--langs" -> langs = Set.of(ToolSupport.valueOf(args, i++, "--langs").split(","));
                    case "--json" -> json = true;
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unexpected argument: " + args[i]);
                }
            }
            if (corpus == null) {
                throw new IllegalArgumentException("--corpus PATH is required");
            }
            if (repeat < 1 || limit < 1 || skip < 0) {
                throw new IllegalArgumentException("--repeat and --limit must be positive, --skip at least 0");
            }
        } catch (IllegalArgumentException e) {
            err.println("FilterBench: " + e.getMessage());
            err.print(USAGE);
            return ToolSupport.USAGE;
        }
        List<Doc> docs;
        try {
            docs = read(Path.of(corpus), skip, limit, langs);
        } catch (IOException e) {
            err.println("FilterBench: cannot read the corpus: " + e.getMessage());
            return 1;
        }
        if (docs.isEmpty()) {
            err.println("FilterBench: the corpus (slice) holds no document");
            return 1;
        }
        List<Timing> timings = measure(docs, repeat);
        if (json) {
            try {
                out.println(ToolSupport.JSON.writeValueAsString(toMap(docs, timings)));
            } catch (IOException e) {
                err.println("FilterBench: " + e.getMessage());
                return 1;
            }
        } else {
            print(docs, timings, out);
        }
        return 0;
    }

    static List<Doc> read(Path path, int skip, int limit, Set<String> langs) throws IOException {
        List<Doc> docs = new ArrayList<>();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
        int skipped = 0;
        try (BufferedReader in = ToolSupport.open(path)) {
            String line;
            while (docs.size() < limit && (line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = ToolSupport.JSON.readTree(line);
                if (!n.path("text").isTextual()) {
                    continue;
                }
                String lang = n.path("lang").isTextual() ? n.get("lang").asText() : null;
                if (langs != null && !langs.contains(lang)) {
                    continue;
                }
                if (skipped < skip) {
                    skipped++;
                    continue;
                }
                String text = n.get("text").asText();
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                docs.add(new Doc(text, lang, utf8.length, "d" + HexFormat.of().formatHex(sha256.digest(utf8), 0, 16)));
            }
        }
        return docs;
    }

    static List<Timing> measure(List<Doc> docs, int repeat) {
        DocumentFilter before = ToolSupport.engine(FilterSettings.MMEDC_MODE, false, false);
        DocumentFilter mmedc = ToolSupport.engine(FilterSettings.MMEDC_MODE, true, true);
        DocumentFilter v2 = ToolSupport.engine(FilterSettings.DEFAULT_RELEVANCE_MODE, true, true);
        DedupSettings dedupSettings = DedupSettings.defaults();
        List<Timing> timings = new ArrayList<>();
        timings.add(time(BEFORE, docs, repeat, d -> before.classify(d.text(), d.lang()).accepted() ? 1 : 0));
        timings.add(time(MMEDC, docs, repeat, d -> mmedc.classify(d.text(), d.lang()).accepted() ? 1 : 0));
        timings.add(time(DEFAULT, docs, repeat, d -> v2.classify(d.text(), d.lang()).accepted() ? 1 : 0));
        timings.add(timePasses(FULL, docs, repeat, () -> {
            DedupPass dedup = new DedupPass(dedupSettings);
            return d -> {
                FilterVerdict v = v2.classify(d.text(), d.lang());
                return v.accepted() && dedup.unique(d, v.lang(), v.text()) ? 1 : 0;
            };
        }));
        // Stages alone. Relevance and quality run in the detected language (documents in none are skipped).
        String[] detected = new String[docs.size()];
        for (int i = 0; i < docs.size(); i++) {
            detected[i] = v2.identifyLanguage(docs.get(i).text(), docs.get(i).lang());
        }
        List<Doc> inLanguage = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (detected[i] != null && v2.languages().contains(detected[i])) {
                Doc d = docs.get(i);
                inLanguage.add(new Doc(d.text(), detected[i], d.bytes(), d.docId()));
            }
        }
        timings.add(time("stage: language ID", docs, repeat,
                d -> v2.identifyLanguage(d.text(), d.lang()) == null ? 0 : 1));
        timings.add(time("stage: relevance mmedc", inLanguage, repeat,
                d -> mmedc.isMedical(d.lang(), d.text(), new LinkedHashMap<>()) ? 1 : 0));
        timings.add(time("stage: relevance lexical-v2", inLanguage, repeat,
                d -> v2.isMedical(d.lang(), d.text(), new LinkedHashMap<>()) ? 1 : 0));
        timings.add(time("stage: quality rules", inLanguage, repeat,
                d -> v2.quality(d.lang(), d.text()).passed() ? 1 : 0));
        timings.add(time("stage: PII masking", docs, repeat, d -> v2.maskPii(d.text()).total()));
        List<Doc> accepted = new ArrayList<>();
        for (Doc d : docs) {
            FilterVerdict v = v2.classify(d.text(), d.lang());
            if (v.accepted()) {
                accepted.add(new Doc(v.text(), v.lang(), d.bytes(), d.docId()));
            }
        }
        if (!accepted.isEmpty()) {
            timings.add(timePasses("stage: dedup exact + near (accepted documents)", accepted, repeat, () -> {
                DedupPass dedup = new DedupPass(dedupSettings);
                return d -> dedup.unique(d, d.lang(), d.text()) ? 1 : 0;
            }));
        }
        return timings;
    }

    /** The dedup step over one pass: fresh in-memory state, committed every 500 documents like a service batch. */
    private static final class DedupPass {
        private final Deduplicator dedup;
        private int checked;

        DedupPass(DedupSettings settings) {
            dedup = Deduplicator.inMemory(settings);
        }

        boolean unique(Doc d, String lang, String published) {
            boolean unique = !dedup.check(new DedupRequest(d.docId(), 0, 0L, d.docId(), null, -1, -1L, "bench",
                    published, lang, 0L)).duplicate();
            if (++checked % 500 == 0) {
                dedup.commit();
            }
            return unique;
        }
    }

    private static Timing time(String name, List<Doc> docs, int repeat, ToIntFunction<Doc> work) {
        return timePasses(name, docs, repeat, () -> work);
    }

    /** Like {@link #time}, with the work made afresh for each pass (a pass that keeps state, like deduplication). */
    private static Timing timePasses(String name, List<Doc> docs, int repeat,
            Supplier<ToIntFunction<Doc>> perPass) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long bytes = docs.stream().mapToLong(Doc::bytes).sum();
        double bestCpu = Double.MAX_VALUE;
        double bestProcess = Double.MAX_VALUE;
        double bestWall = Double.MAX_VALUE;
        long sink = 0;
        for (int pass = 0; pass <= repeat; pass++) { // pass 0 warms up the JIT
            ToIntFunction<Doc> work = perPass.get();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long process0 = processCpuNanos();
            long wall0 = System.nanoTime();
            for (Doc d : docs) {
                sink += work.applyAsInt(d);
            }
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double process = (processCpuNanos() - process0) / 1e9;
            double wall = (System.nanoTime() - wall0) / 1e9;
            if (pass > 0) {
                bestCpu = Math.min(bestCpu, cpu);
                bestProcess = Math.min(bestProcess, process);
                bestWall = Math.min(bestWall, wall);
            }
        }
        if (sink == Long.MIN_VALUE) { // keeps the work observable to the JIT
            System.out.print("");
        }
        return new Timing(name, bytes, docs.size(), bestCpu, bestProcess, bestWall);
    }

    /** CPU time of the whole JVM (all threads), or -1 where the platform does not tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static void print(List<Doc> docs, List<Timing> timings, PrintStream out) {
        long bytes = docs.stream().mapToLong(Doc::bytes).sum();
        out.printf(Locale.ROOT, "corpus: %d documents, %.1f MB (UTF-8); %d available processors; single thread%n%n",
                docs.size(), bytes / 1e6, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-52s %6s %9s %9s %9s %7s %7s %7s%n", "", "docs", "cpu MB/s", "proc MB/s",
                "wall MB/s", "cpu s", "proc s", "wall s");
        for (Timing t : timings) {
            out.printf(Locale.ROOT, "%-52s %6d %9.2f %9.2f %9.2f %7.2f %7.2f %7.2f%n", t.name(), t.docs(),
                    t.cpuMbPerSecond(), t.processCpuMbPerSecond(), t.wallMbPerSecond(), t.cpuSeconds(),
                    t.processCpuSeconds(), t.wallSeconds());
        }
        out.println("cpu: this thread's CPU time; proc: the whole JVM's (Lingua's pool, GC); wall: elapsed");
        out.printf(Locale.ROOT, "%nratio full filter / before (cpu MB/s): %.2f; default / mmedc with quality and PII:"
                + " %.2f%n", timings.get(3).cpuMbPerSecond() / timings.get(0).cpuMbPerSecond(),
                timings.get(2).cpuMbPerSecond() / timings.get(1).cpuMbPerSecond());
    }

    private static Map<String, Object> toMap(List<Doc> docs, List<Timing> timings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("documents", docs.size());
        m.put("bytes", docs.stream().mapToLong(Doc::bytes).sum());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Timing t : timings) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", t.name());
            r.put("docs", t.docs());
            r.put("cpu_mb_per_s", t.cpuMbPerSecond());
            r.put("wall_mb_per_s", t.wallMbPerSecond());
            r.put("process_cpu_mb_per_s", t.processCpuMbPerSecond());
            r.put("cpu_s", t.cpuSeconds());
            r.put("process_cpu_s", t.processCpuSeconds());
            r.put("wall_s", t.wallSeconds());
            rows.add(r);
        }
        m.put("timings", rows);
        m.put("ratio_default_over_before", timings.get(2).cpuMbPerSecond() / timings.get(0).cpuMbPerSecond());
        m.put("full_filter_cpu_mb_per_s", timings.get(3).cpuMbPerSecond());
        m.put("ratio_full_over_before", timings.get(3).cpuMbPerSecond() / timings.get(0).cpuMbPerSecond());
        return m;
    }
}
