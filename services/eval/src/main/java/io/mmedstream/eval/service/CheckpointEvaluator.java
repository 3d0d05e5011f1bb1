package io.mmedstream.eval.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;

import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.domain.PromotionDecision;
import io.mmedstream.eval.domain.PromotionPolicy;
import io.mmedstream.eval.domain.ServingModel;
import io.mmedstream.eval.metrics.LanguageAccuracy;
import io.mmedstream.eval.metrics.LanguageRationale;
import io.mmedstream.eval.metrics.RationaleMetric;
import io.mmedstream.eval.report.CheckpointAccuracy;
import io.mmedstream.eval.report.JsonReport;
import io.mmedstream.eval.service.BenchmarkRunner.Answered;
import io.mmedstream.eval.service.BenchmarkScorer.Scored;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.LanguageAccuracyResult;
import io.mmedstream.proto.LanguageRationaleResult;
import io.mmedstream.proto.ModelPromoted;

/**
 * Evaluates one checkpoint end to end, without Kafka: adds it to the model repository as the next version of the
 * serving model, stages that version as the only one of the candidate model and loads it there, asks the benchmark,
 * unloads the candidate model, scores, writes the report directory, decides promotion (written to the report
 * directory as {@value #PROMOTION_FILE}, since a checkpoint that is not promoted has no event that says why), and
 * returns the events to publish.
 *
 * <p>Eval never loads or unloads the serving model: that model belongs to inference, which loads a version when its
 * {@code ModelPromoted} arrives. Measuring candidates under their own model name keeps the two apart on a shared
 * Triton, where a load with {@code version_policy.specific} unloads every version it does not list: a candidate
 * loaded next to the serving version would unload a version inference had just switched to, and inference's own
 * switch would unload a candidate in the middle of its evaluation.
 */
public final class CheckpointEvaluator {

    /** The promotion decision in the report directory: {@code {"checkpoint", "promoted", "reason"}}. */
    public static final String PROMOTION_FILE = "promotion.json";
    /**
     * An evaluation given up on, in the report directory: {@code {"checkpoint", "attempts", "reason", "failed_at"}}.
     */
    public static final String FAILURE_FILE = "failure.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What eval is configured to do. */
    public record Settings(String modelName, String candidateModelName, String benchmarkName, boolean withRationale,
                           Path reports) {
        public Settings {
            if (modelName.equals(candidateModelName)) {
                throw new IllegalArgumentException("the candidate model name must differ from the serving model name "
                        + modelName + " (eval would load and unload the model inference serves)");
            }
        }
    }

    /** The events one evaluation produces, and the decision. */
    public record Outcome(EvalCompleted completed, PromotionDecision decision, Optional<ModelPromoted> promoted) {
    }

    private final Settings settings;
    private final Map<Language, List<BenchmarkQuestion>> benchmark;
    private final ModelRepositoryWriter repository;
    private final ServingBackend backend;
    private final BenchmarkRunner runner;
    private final BenchmarkScorer scorer = new BenchmarkScorer();
    private final PromotionPolicy policy;
    private final Clock clock;

    public CheckpointEvaluator(Settings settings, Map<Language, List<BenchmarkQuestion>> benchmark,
                               ModelRepositoryWriter repository, ServingBackend backend, BenchmarkRunner runner,
                               PromotionPolicy policy, Clock clock) {
        this.settings = settings;
        this.benchmark = benchmark;
        this.repository = repository;
        this.backend = backend;
        this.runner = runner;
        this.policy = policy;
        this.clock = clock;
    }

    /** Questions per evaluation. */
    public int benchmarkSize() {
        return benchmark.values().stream().mapToInt(List::size).sum();
    }

    /** Evaluates {@code checkpoint} against the serving model (if any). */
    public Outcome evaluate(CheckpointReady checkpoint, Optional<ServingModel> serving) throws InterruptedException {
        Instant started = clock.instant();
        String id = checkpoint.getCheckpointId();
        String model = settings.modelName();
        String candidate = settings.candidateModelName();
        Path checkpointDir = checkpointPath(checkpoint.getUri());
        String version = repository.addVersion(model, checkpointDir);
        repository.stageCandidate(candidate, version, checkpointDir);
        Log.infof("eval %s: version %s of %s; measuring it as %s version %s", id, version, model, candidate, version);
        Instant loaded;
        List<Answered> answers;
        try {
            backend.serve(candidate, version);
            loaded = clock.instant();
            Log.infof("eval %s: asking %d questions (%s, rationale %s)", id, benchmarkSize(),
                    settings.benchmarkName(), settings.withRationale());
            answers = runner.run(id, benchmark, settings.withRationale(),
                    prompt -> backend.generate(candidate, version, prompt));
        } finally {
            release(id, candidate);
        }
        Instant generated = clock.instant();

        Scored scored = scorer.score(answers, settings.withRationale());
        Path reportDir = scorer.writeReport(settings.reports(), id, answers, scored);
        CheckpointAccuracy accuracy = JsonReport.checkpointAccuracy(id, scored.accuracy());
        Instant finished = clock.instant();

        EvalCompleted completed = EvalCompleted.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(finished)
                .setCheckpointId(id)
                .setCheckpointUri(checkpoint.getUri())
                .setModelName(model)
                .setModelVersion(version)
                .setBenchmarkName(settings.benchmarkName())
                .setBenchmarkSize(answers.size())
                .setWithRationale(settings.withRationale())
                .setLanguages(languages(scored))
                .setMeanAccuracy(scored.accuracy().meanAccuracy())
                .setRationale(scored.rationale() == null ? null : rationale(scored))
                .setReportUri(reportDir.toAbsolutePath().toUri().toString())
                .setStartedAt(started)
                .setLoadMillis(Duration.between(started, loaded).toMillis())
                .setGenerationMillis(Duration.between(loaded, generated).toMillis())
                .setTotalMillis(Duration.between(started, finished).toMillis())
                .build();

        PromotionDecision decision = policy.decide(accuracy, serving);
        Log.infof("eval %s: mean accuracy %.2f over %d questions; promotion %s: %s", id, accuracy.meanAccuracy(),
                answers.size(), decision.promote() ? "YES" : "no", decision.reason());
        writeDecision(reportDir, id, decision);
        Optional<ModelPromoted> promoted = Optional.empty();
        if (decision.promote()) {
            Map<String, Double> perLanguage = new LinkedHashMap<>();
            accuracy.accuracy().forEach((l, a) -> perLanguage.put(l.displayName(), a));
            promoted = Optional.of(ModelPromoted.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setOccurredAt(clock.instant())
                    .setCheckpointId(id)
                    .setCheckpointUri(checkpoint.getUri())
                    .setModelName(model)
                    .setModelVersion(version)
                    .setPreviousCheckpointId(serving.map(ServingModel::checkpointId).orElse(null))
                    .setPreviousModelVersion(serving.map(ServingModel::version).orElse(null))
                    .setReason(decision.reason())
                    .setMeanAccuracy(accuracy.meanAccuracy())
                    .setPreviousMeanAccuracy(serving.map(s -> s.accuracy().meanAccuracy()).orElse(null))
                    .setAccuracyPerLanguage(perLanguage)
                    .setReportUri(completed.getReportUri())
                    .build());
        }
        return new Outcome(completed, decision, promoted);
    }

    /** Frees the candidate's memory; a failure here costs memory until the next load, never an evaluation. */
    private void release(String id, String candidate) {
        // A cancelled or stopped evaluation arrives here interrupted, and a blocking gRPC call on an interrupted
        // thread is cancelled at once: unload with the flag cleared, then set it again.
        boolean interrupted = Thread.interrupted();
        try {
            backend.release(candidate);
        } catch (RuntimeException e) {
            Log.warnf("eval %s: could not unload %s (it stays loaded until the next candidate replaces it): %s", id,
                    candidate, e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Records that the evaluation of {@code checkpoint} was given up on after {@code attempts} failures, in its report
     * directory ({@value #FAILURE_FILE}); a later successful evaluation of it leaves the file, which its
     * {@code failed_at} dates.
     *
     * @return the file written
     */
    public Path recordFailure(String checkpoint, int attempts, String reason) {
        Path dir = settings.reports().resolve(BenchmarkScorer.safeName(checkpoint));
        ObjectNode node = JSON.createObjectNode().put("checkpoint", checkpoint).put("attempts", attempts)
                .put("reason", reason).put("failed_at", clock.instant().toString());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(FAILURE_FILE), node.toPrettyString() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FAILURE_FILE), e);
        }
        return dir.resolve(FAILURE_FILE);
    }

    private static void writeDecision(Path reportDir, String checkpoint, PromotionDecision decision) {
        ObjectNode node = JSON.createObjectNode().put("checkpoint", checkpoint).put("promoted", decision.promote())
                .put("reason", decision.reason());
        try {
            Files.writeString(reportDir.resolve(PROMOTION_FILE), node.toPrettyString() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + reportDir.resolve(PROMOTION_FILE), e);
        }
    }

    private static List<LanguageAccuracyResult> languages(Scored scored) {
        List<LanguageAccuracyResult> out = new ArrayList<>();
        scored.accuracy().languages().forEach((language, a) -> out.add(result(language, a)));
        return out;
    }

    private static LanguageAccuracyResult result(Language language, LanguageAccuracy a) {
        return LanguageAccuracyResult.newBuilder().setLanguage(language.displayName()).setN(a.n())
                .setCorrect(a.correct()).setUnparseable(a.unparseable()).setAccuracy(a.accuracy()).build();
    }

    private static List<LanguageRationaleResult> rationale(Scored scored) {
        List<LanguageRationaleResult> out = new ArrayList<>();
        scored.rationale().languages().forEach((language, r) -> out.add(rationale(language, r)));
        return out;
    }

    private static LanguageRationaleResult rationale(Language language, LanguageRationale r) {
        return LanguageRationaleResult.newBuilder().setLanguage(language.displayName()).setN(r.n())
                .setBleu1(r.score(RationaleMetric.BLEU_1)).setBleu2(r.score(RationaleMetric.BLEU_2))
                .setBleu3(r.score(RationaleMetric.BLEU_3)).setBleu4(r.score(RationaleMetric.BLEU_4))
                .setCumulativeBleu4(r.score(RationaleMetric.CUMULATIVE_BLEU_4))
                .setRouge1(r.score(RationaleMetric.ROUGE_1)).setRouge2(r.score(RationaleMetric.ROUGE_2))
                .setRougeL(r.score(RationaleMetric.ROUGE_L)).build();
    }

    /** A checkpoint URI as a local path: {@code file:} URIs and plain paths. */
    static Path checkpointPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*")) {
            throw new IllegalArgumentException("checkpoint URI " + uri + " is not a local path (file: or plain)");
        }
        return Path.of(uri);
    }
}
