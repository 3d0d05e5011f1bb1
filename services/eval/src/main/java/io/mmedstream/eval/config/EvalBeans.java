package io.mmedstream.eval.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.BenchmarkReader;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.domain.PromotionPolicy;
import io.mmedstream.eval.service.BenchmarkRunner;
import io.mmedstream.eval.service.CheckpointEvaluator;
import io.mmedstream.eval.service.ModelRepositoryWriter;
import io.mmedstream.eval.service.ServingBackend;
import io.mmedstream.eval.service.TritonBackend;
import io.mmedstream.triton.client.TritonClient;

/** Builds the plain-Java evaluation pipeline from {@link EvalConfig}. */
public class EvalBeans {

    /** Resource folder of the embedded benchmark set. */
    public static final String MINI_BENCHMARK = "benchmark/mini/";

    /** The backend's client; tests replace it with one on an in-process channel. */
    @Produces
    @Singleton
    @DefaultBean
    TritonClient tritonClient(EvalConfig config) {
        return TritonClient.connect(config.backend().host(), config.backend().port());
    }

    @Produces
    @Singleton
    CheckpointEvaluator evaluator(EvalConfig config, TritonClient client) {
        ServingBackend backend = new TritonBackend(client, config.backend().modelBackend(),
                config.backend().maxTokens());
        return new CheckpointEvaluator(
                new CheckpointEvaluator.Settings(config.modelName(), config.candidateModel(), benchmarkName(config),
                        config.benchmark().withRationale(), Path.of(config.reportsDir())),
                benchmark(config),
                new ModelRepositoryWriter(Path.of(config.modelRepository()),
                        ModelRepositoryWriter.parseEngineArgs(config.engineArgs().orElse(""))),
                backend,
                new BenchmarkRunner(config.backend().concurrency()),
                new PromotionPolicy(config.promotion().margin(), config.promotion().tolerance()),
                Clock.systemUTC());
    }

    /** The benchmark's name: its directory's name, or {@code mini} for the embedded set. */
    public static String benchmarkName(EvalConfig config) {
        return config.benchmark().dir().map(d -> Path.of(d).toAbsolutePath().normalize().getFileName().toString())
                .orElse("mini");
    }

    static Map<Language, List<BenchmarkQuestion>> benchmark(EvalConfig config) {
        if (config.benchmark().dir().isPresent()) {
            return BenchmarkReader.readDirectory(Path.of(config.benchmark().dir().get()));
        }
        return miniBenchmark();
    }

    /** The embedded question set (resources {@value #MINI_BENCHMARK}{@code <Language>.jsonl}). */
    public static Map<Language, List<BenchmarkQuestion>> miniBenchmark() {
        Map<Language, List<BenchmarkQuestion>> all = new EnumMap<>(Language.class);
        for (Language language : Language.values()) {
            String resource = MINI_BENCHMARK + language.fileName();
            try (InputStream in = EvalBeans.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    continue;
                }
                try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                    all.put(language, BenchmarkReader.read(reader, language, resource));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        if (all.isEmpty()) {
            throw new IllegalStateException("the embedded benchmark " + MINI_BENCHMARK + " is missing");
        }
        return Collections.unmodifiableMap(all);
    }
}
