package io.mmedstream.local.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.mmedstream.local.cli.Format;
import io.mmedstream.local.funnel.FunnelCounts;

/** The benchmark's figures side by side: end to end through Kafka, bare per stage, and their ratio. */
public final class BenchReport {

    /** The share of bare throughput the streaming pipeline should keep. */
    public static final double TARGET_RATIO = 0.7;

    private final Path corpusPath;
    private final BenchCorpus corpus;
    private final EndToEndRun.Result e2e;
    private final Map<String, Duration> stackCpu;
    private final BareResult bare;

    /**
     * @param stackCpu CPU time each process of the stack used during the end-to-end run
     */
    public BenchReport(Path corpusPath, BenchCorpus corpus, EndToEndRun.Result e2e, Map<String, Duration> stackCpu,
            BareResult bare) {
        this.corpusPath = corpusPath;
        this.corpus = corpus;
        this.e2e = e2e;
        this.stackCpu = new LinkedHashMap<>(stackCpu);
        this.bare = bare;
    }

    /** End-to-end throughput over bare throughput for the same documents: bare time / end-to-end time. */
    public double ratio() {
        return seconds(bare.total()) / seconds(e2e.inShards());
    }

    public String render() {
        long docs = corpus.documents().size();
        long bytes = corpus.textBytes();
        FunnelCounts c = e2e.counts();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nbench: %s documents, %s of text (%s), %d cores%n",
                Format.count(docs), Format.megabytes(bytes), corpusPath, Runtime.getRuntime().availableProcessors()));
        sb.append(String.format(Locale.ROOT, "%n%-34s %10s %12s %10s%n", "", "time", "docs/s", "MB/s"));
        sb.append("end to end through Kafka (ingest, filter, tokenize: 3 processes and the broker)\n");
        line(sb, "  submitted (acknowledged)", e2e.submitted(), docs, bytes);
        line(sb, "  all ingested and filtered", e2e.filtered(), docs, bytes);
        line(sb, "  all accepted docs in shards", e2e.inShards(), docs, bytes);
        sb.append(String.format(Locale.ROOT,
                "    rejected %s, dropped %s, accepted %s; %s shards, %s tokens%n",
                Format.count(c.rejected()), Format.count(c.dropped()), Format.count(c.accepted()),
                Format.count(c.shards()), Format.count(c.shardTokens())));
        if (!stackCpu.isEmpty()) {
            sb.append("    CPU used meanwhile:");
            stackCpu.forEach((name, cpu) -> sb.append(' ').append(name).append(' ').append(Format.seconds(cpu)));
            sb.append(String.format(Locale.ROOT, " (of %s wall time x %d cores)%n", Format.seconds(e2e.inShards()),
                    Runtime.getRuntime().availableProcessors()));
        }
        sb.append(String.format(Locale.ROOT, "bare: the same code in this JVM, no Kafka (%d threads)%n", bare.threads()));
        line(sb, "  filter (all documents)", bare.filterTime(), docs, bytes);
        sb.append(String.format(Locale.ROOT, "  %-32s %10s %12s %10s   (%s accepted docs, %s)%n",
                "tokenize + shards (accepted)", Format.seconds(bare.tokenizeTime()),
                Format.rate(Format.perSecond(bare.accepted(), bare.tokenizeTime())),
                Format.rate(Format.perSecond(bare.acceptedTextBytes() / 1e6, bare.tokenizeTime())),
                Format.count(bare.accepted()), Format.megabytes(bare.acceptedTextBytes())));
        line(sb, "  total", bare.total(), docs, bytes);
        sb.append(String.format(Locale.ROOT, "    accepted %s; %s shards, %s tokens%n", Format.count(bare.accepted()),
                Format.count(bare.shards()), Format.count(bare.tokens())));
        if (bare.accepted() != c.accepted()) {
            sb.append(String.format(Locale.ROOT, "    note: the stack accepted %s documents, the bare run %s: the"
                    + " services see ingest's normalised texts and keep state across documents (e.g. duplicates"
                    + " already seen) that separate classify() calls do not%n",
                    Format.count(c.accepted()), Format.count(bare.accepted())));
        }
        double ratio = ratio();
        sb.append(String.format(Locale.ROOT, "%nratio end to end / bare: %.2f (target >= %.1f: %s)%n", ratio,
                TARGET_RATIO, ratio >= TARGET_RATIO ? "met" : "NOT met"));
        sb.append("  end to end includes ingest and tokenize's idle flush of the last shards ("
                + "the time from the last document to its shard)\n");
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, Duration time, long docs, long bytes) {
        sb.append(String.format(Locale.ROOT, "%-34s %10s %12s %10s%n", label, Format.seconds(time),
                Format.rate(Format.perSecond(docs, time)), Format.rate(Format.perSecond(bytes / 1e6, time))));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
