package io.mmedstream.filter.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;

import com.fasterxml.jackson.databind.JsonNode;

import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterSettings;

/**
 * The filter's bare single-thread throughput, per stage and in total (no Kafka): {@code FilterBench --corpus PATH}.
 *
 * <p>Reads a JSON-lines corpus ({@code {"text", "lang"?}}, plain or .gz; the shared bench corpus is
 * {@code ../shared/data/bench-corpus.jsonl.gz}) into memory, then on one thread measures, each as the best of
 * {@code --repeat} passes after one warm-up pass, CPU time (ThreadMXBean, what a core gives) and wall time (what a
 * loaded machine gives):
 * <ul>
 * <li>the whole decision ({@link DocumentFilter#classify}) with three engines: <b>before</b> (the filter before the
 * quality work: language identification and the paper's {@code mmedc} relevance, no quality rules, no PII masking),
 * <b>mmedc</b> with quality and PII, and the default <b>lexical-v2</b> with quality and PII;</li>
 * <li>each stage alone on every document: language identification, relevance in both modes (in the detected
 * language), the quality rules and PII masking.</li>
 * </ul>
 * MB/s are megabytes (10^6) of UTF-8 text per second; the ratio compares the default engine with "before".
 * Deduplication is not part of this engine and not measured here.
 */
public final class FilterBench {

    static final String USAGE = """
            usage: FilterBench --corpus PATH [--repeat N] [--limit DOCS] [--json]
              Single-thread throughput of the filter (no Kafka): the whole decision with the "before" engine
              (language ID + mmedc relevance), mmedc + quality + PII and the default lexical-v2 + quality + PII, and
              each stage alone, in CPU-time and wall-time MB/s (best of N passes after a warm-up; default N = 3).
            """;

    private FilterBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** One measurement: CPU and wall seconds of the best pass, and the bytes one pass reads. */
    record Timing(String name, long bytes, int docs, double cpuSeconds, double wallSeconds) {
        double cpuMbPerSecond() {
            return bytes / 1e6 / cpuSeconds;
        }

        double wallMbPerSecond() {
            return bytes / 1e6 / wallSeconds;
        }
    }

    record Doc(String text, String lang, long bytes) {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ToolSupport.quietLogging();
        String corpus = null;
        int repeat = 3;
        int limit = Integer.MAX_VALUE;
        boolean json = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--corpus" -> corpus = ToolSupport.valueOf(args, i++, "--corpus");
                    case "--repeat" -> repeat = Integer.parseInt(ToolSupport.valueOf(args, i++, "--repeat"));
                    case "--limit" -> limit = Integer.parseInt(ToolSupport.valueOf(args, i++, "--limit"));
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
            if (repeat < 1 || limit < 1) {
                throw new IllegalArgumentException("--repeat and --limit must be positive");
            }
        } catch (IllegalArgumentException e) {
            err.println("FilterBench: " + e.getMessage());
            err.print(USAGE);
            return ToolSupport.USAGE;
        }
        List<Doc> docs;
        try {
            docs = read(Path.of(corpus), limit);
        } catch (IOException e) {
            err.println("FilterBench: cannot read the corpus: " + e.getMessage());
            return 1;
        }
        if (docs.isEmpty()) {
            err.println("FilterBench: the corpus holds no document");
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

    static List<Doc> read(Path path, int limit) throws IOException {
        List<Doc> docs = new ArrayList<>();
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
                String text = n.get("text").asText();
                docs.add(new Doc(text, n.path("lang").isTextual() ? n.get("lang").asText() : null,
                        text.getBytes(StandardCharsets.UTF_8).length));
            }
        }
        return docs;
    }

    static List<Timing> measure(List<Doc> docs, int repeat) {
        DocumentFilter before = ToolSupport.engine(FilterSettings.MMEDC_MODE, false, false);
        DocumentFilter mmedc = ToolSupport.engine(FilterSettings.MMEDC_MODE, true, true);
        DocumentFilter v2 = ToolSupport.engine(FilterSettings.DEFAULT_RELEVANCE_MODE, true, true);
        List<Timing> timings = new ArrayList<>();
        timings.add(time("total: before (language ID + mmedc)", docs, repeat,
                d -> before.classify(d.text(), d.lang()).accepted() ? 1 : 0));
        timings.add(time("total: mmedc + quality + PII", docs, repeat,
                d -> mmedc.classify(d.text(), d.lang()).accepted() ? 1 : 0));
        timings.add(time("total: lexical-v2 + quality + PII (default)", docs, repeat,
                d -> v2.classify(d.text(), d.lang()).accepted() ? 1 : 0));
        // Stages alone. Relevance and quality run in the detected language (documents in none are skipped).
        String[] detected = new String[docs.size()];
        for (int i = 0; i < docs.size(); i++) {
            detected[i] = v2.identifyLanguage(docs.get(i).text(), docs.get(i).lang());
        }
        List<Doc> inLanguage = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (detected[i] != null && v2.languages().contains(detected[i])) {
                Doc d = docs.get(i);
                inLanguage.add(new Doc(d.text(), detected[i], d.bytes()));
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
        return timings;
    }

    private static Timing time(String name, List<Doc> docs, int repeat, ToIntFunction<Doc> work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long bytes = docs.stream().mapToLong(Doc::bytes).sum();
        double bestCpu = Double.MAX_VALUE;
        double bestWall = Double.MAX_VALUE;
        long sink = 0;
        for (int pass = 0; pass <= repeat; pass++) { // pass 0 warms up the JIT
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (Doc d : docs) {
                sink += work.applyAsInt(d);
            }
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double wall = (System.nanoTime() - wall0) / 1e9;
            if (pass > 0) {
                bestCpu = Math.min(bestCpu, cpu);
                bestWall = Math.min(bestWall, wall);
            }
        }
        if (sink == Long.MIN_VALUE) { // keeps the work observable to the JIT
            System.out.print("");
        }
        return new Timing(name, bytes, docs.size(), bestCpu, bestWall);
    }

    private static void print(List<Doc> docs, List<Timing> timings, PrintStream out) {
        long bytes = docs.stream().mapToLong(Doc::bytes).sum();
        out.printf(Locale.ROOT, "corpus: %d documents, %.1f MB (UTF-8); %d available processors; single thread%n%n",
                docs.size(), bytes / 1e6, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-46s %7s %10s %10s %9s %9s%n", "", "docs", "cpu MB/s", "wall MB/s", "cpu s",
                "wall s");
        for (Timing t : timings) {
            out.printf(Locale.ROOT, "%-46s %7d %10.2f %10.2f %9.2f %9.2f%n", t.name(), t.docs(), t.cpuMbPerSecond(),
                    t.wallMbPerSecond(), t.cpuSeconds(), t.wallSeconds());
        }
        out.printf(Locale.ROOT, "%nratio default / before (cpu MB/s): %.2f; default / mmedc with quality and PII: %.2f%n",
                timings.get(2).cpuMbPerSecond() / timings.get(0).cpuMbPerSecond(),
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
            r.put("cpu_s", t.cpuSeconds());
            r.put("wall_s", t.wallSeconds());
            rows.add(r);
        }
        m.put("timings", rows);
        m.put("ratio_default_over_before", timings.get(2).cpuMbPerSecond() / timings.get(0).cpuMbPerSecond());
        return m;
    }
}
