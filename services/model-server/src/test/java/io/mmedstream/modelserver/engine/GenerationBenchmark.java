package io.mmedstream.modelserver.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Decoding speed of the Java forward pass (not a test: runs only with {@code -Dmmed.bench=true}). For each model size
 * it runs a 32-token prompt, then greedy single-token steps with the cache, and prints tokens per second.
 */
class GenerationBenchmark {

    @Test
    void decodingSpeed() throws Exception {
        assumeTrue(Boolean.getBoolean("mmed.bench"), "benchmark: run with -Dmmed.bench=true");
        int threads = Integer.getInteger("mmed.bench.threads", 0);
        Path dir = Files.createTempDirectory("bench");
        try (ComputePool pool = new ComputePool(threads)) {
            bench("tiny (d=32, 2 layers, vocab 261)", TinyCheckpoint.write(dir.resolve("tiny"), 1), pool, 200);
            bench("small (d=256, 4 layers, GQA 4/2, vocab 92,544)",
                    TinyCheckpoint.write(dir.resolve("small"), 1, 256, 688, 4, 4, 2, 92_544, 1024), pool, 100);
            bench("base (d=768, 12 layers, GQA 12/4, vocab 32,000)",
                    TinyCheckpoint.write(dir.resolve("base"), 1, 768, 2048, 12, 12, 4, 32_000, 1024), pool, 40);
        } finally {
            TrainerFixtures.deleteTree(dir);
        }
    }

    private static void bench(String name, Path checkpoint, ComputePool pool, int steps) {
        LlamaModel model = LlamaModel.load(checkpoint, pool);
        int[] prompt = new int[32];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 65 + i % 26;
        }
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            LlamaModel.Session s = model.newSession(prompt.length + steps);
            long t0 = System.nanoTime();
            float[] logits = model.forward(s, prompt, false);
            long t1 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                logits = model.forward(s, new int[] {Sampler.argmax(logits)}, false);
            }
            long t2 = System.nanoTime();
            if (round == 1) {
                System.out.printf("BENCH %s: %,d parameters, %d threads: prompt %.0f tokens/s, decode %.1f tokens/s%n",
                        name, model.parameterCount(), pool.parallelism(), prompt.length / ((t1 - t0) / 1e9),
                        steps / ((t2 - t1) / 1e9));
            }
        }
    }
}
