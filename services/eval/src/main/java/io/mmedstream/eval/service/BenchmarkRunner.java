package io.mmedstream.eval.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.quarkus.logging.Log;

import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.benchmark.MmedPrompt;

/**
 * Asks every benchmark question with the exact prompt ({@link MmedPrompt#prompt}), at most {@code concurrency}
 * generations at once, and logs progress about every tenth of the set. Plain Java: the generator is a function.
 */
public final class BenchmarkRunner {

    /** Generates the model's completion of a prompt (blocking). */
    @FunctionalInterface
    public interface Generator {
        String generate(String prompt) throws Exception;
    }

    /** One asked question: the prompt sent and the model's output. */
    public record Answered(BenchmarkQuestion question, String prompt, String output) {
    }

    private final int concurrency;

    public BenchmarkRunner(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        this.concurrency = concurrency;
    }

    /**
     * Asks all questions; the answers come back in benchmark order (language, then file order).
     *
     * @param label a name for the progress logs (the checkpoint id)
     * @throws IllegalStateException when a generation fails (the evaluation cannot be honest without every answer)
     */
    public List<Answered> run(String label, Map<Language, List<BenchmarkQuestion>> benchmark, boolean withRationale,
                              Generator generator) throws InterruptedException {
        List<BenchmarkQuestion> all = new ArrayList<>();
        benchmark.values().forEach(all::addAll);
        int total = all.size();
        int step = Math.max(1, total / 10);
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, Math.max(1, total)), r -> {
            Thread t = new Thread(r, "eval-generate");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Answered>> futures = new ArrayList<>(total);
            for (BenchmarkQuestion q : all) {
                futures.add(pool.submit(() -> {
                    String prompt = MmedPrompt.prompt(q, withRationale);
                    String output = generator.generate(prompt);
                    int n = done.incrementAndGet();
                    if (n % step == 0 || n == total) {
                        Log.infof("eval %s: %d/%d questions answered", label, n, total);
                    }
                    return new Answered(q, prompt, output);
                }));
            }
            List<Answered> answers = new ArrayList<>(total);
            for (Future<Answered> f : futures) {
                try {
                    answers.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("generation failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
