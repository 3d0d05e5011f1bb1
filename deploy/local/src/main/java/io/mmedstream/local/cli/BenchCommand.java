package io.mmedstream.local.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.mmedstream.local.bench.BareRun;
import io.mmedstream.local.bench.BenchCorpus;
import io.mmedstream.local.bench.BenchReport;
import io.mmedstream.local.bench.EndToEndRun;
import io.mmedstream.local.stack.LocalStack;

/**
 * {@code ./mmed bench --corpus PATH}: end-to-end throughput through the running stack against the same filter and
 * tokenize code in one JVM without Kafka.
 */
final class BenchCommand implements Command {

    static final String CORPUS = "--corpus";
    static final String THREADS = "--threads";

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "end-to-end throughput vs the same filter+tokenize code in one JVM without Kafka";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed bench --corpus PATH [--threads N]

                PATH is JSON Lines (plain or gzip) of {"lang"?: "en", "text": "..."}, e.g.
                ../shared/data/bench-corpus.jsonl.gz. Each line becomes a submission with source "bench".

                1. End to end: submits every document to the running stack (starting it if needed) and times it
                   until the last one is accounted for (ingested, accepted or dropped, and every accepted
                   document in an announced shard). Reports documents/s and MB/s of text.
                2. Bare: runs the same texts through the same filter and tokenize code (DocumentFilter,
                   ModelTokenizer, ShardBuilder) in this JVM, without Kafka, and times each stage.
                3. Prints the ratio end-to-end / bare throughput (target: at least 0.7).

                  --corpus PATH   the corpus (required)
                  --threads N     threads of the bare run (default: the number of cores, as the stack's
                                  processes share them too)
                """;
    }

    @Override
    public Set<String> options() {
        return Set.of(CORPUS, THREADS);
    }

    @Override
    public int run(Arguments args, CliContext context) {
        args.expectPositionals(0, 0, "");
        Path path = Path.of(args.option(CORPUS).orElseThrow(() -> new UsageException("--corpus PATH is required")));
        int threads = args.positiveInt(THREADS).orElse(Runtime.getRuntime().availableProcessors());
        Terminal terminal = context.terminal();
        BenchCorpus corpus = BenchCorpus.read(path);
        terminal.info("corpus: " + Format.count(corpus.documents().size()) + " documents, "
                + Format.megabytes(corpus.textBytes()) + " of text");

        LocalStack stack = new LocalStack(context.config(), terminal::info);
        LocalStack.UpResult up = stack.up();
        terminal.out().println("kafka: " + up.bootstrap());
        terminal.info("end to end: submitting through the stack ...");
        Map<String, Duration> cpuBefore = cpuTimes(stack);
        EndToEndRun.Result e2e = EndToEndRun.run(up.bootstrap(), corpus, terminal);
        Map<String, Duration> cpu = new LinkedHashMap<>();
        cpuTimes(stack).forEach((name, after) -> cpu.put(name, after.minus(cpuBefore.getOrDefault(name, Duration.ZERO))));

        terminal.info("bare: the same documents through filter and tokenize in this JVM (" + threads + " threads) ...");
        BenchReport report = new BenchReport(path, corpus, e2e, cpu, BareRun.run(corpus, threads));
        terminal.out().print(report.render());
        if (!up.alreadyUp()) {
            terminal.info("the stack keeps running; ./mmed down stops it");
        }
        return 0;
    }

    /** CPU time of the stack's processes and of this CLI (which submits and follows the topics meanwhile). */
    private static Map<String, Duration> cpuTimes(LocalStack stack) {
        Map<String, Duration> cpu = new LinkedHashMap<>(stack.cpuTimes());
        ProcessHandle.current().info().totalCpuDuration().ifPresent(d -> cpu.put("mmed-cli", d));
        return cpu;
    }
}
