package io.mmedstream.eval.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.config.EvalBeans;
import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.LanguageAccuracyResult;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The service on the real embedded broker with a fake Triton: CheckpointReady in, the checkpoint served as a new
 * version, the benchmark asked, EvalCompleted + ModelPromoted out; a worse checkpoint is evaluated but not promoted; a
 * repeated CheckpointReady is not evaluated twice.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(EvalTestBackend.class)
class EvalServiceTest {

    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;
    private final List<EvalCompleted> results = new ArrayList<>();
    private final List<ModelPromoted> promotions = new ArrayList<>();

    @BeforeEach
    void clients() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "eval-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.EVAL_RESULTS, Topics.MODELS_PROMOTED));
    }

    @AfterEach
    void close() {
        producer.close();
        consumer.close();
    }

    @Test
    void checkpointsAreEvaluatedOnceAndOnlyTheBetterOnePromoted() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // Checkpoint 1 always answers A; checkpoint 2 always answers B (a better mean on the embedded set, but two
        // languages fall far); checkpoint 3 answers A again.
        String c1 = "round-" + run + "-step-1";
        String c2 = "round-" + run + "-step-2";
        String c3 = "round-" + run + "-step-3";
        send(c1, checkpointDir(c1, "###Answer: OPTION A IS CORRECT.</s>"));

        EvalCompleted first = awaitResult(c1);
        ModelPromoted promoted = awaitPromotion(c1);
        Map<Language, List<BenchmarkQuestion>> benchmark = EvalBeans.miniBenchmark();
        assertFigures(first, benchmark, Set.of("A"));
        assertThat(first.getBenchmarkName()).isEqualTo("mini");
        assertThat(first.getBenchmarkSize()).isEqualTo(30);
        assertThat(first.getModelName()).isEqualTo("mmed-llm");
        assertThat(promoted.getReason()).contains("first evaluated checkpoint");
        assertThat(promoted.getPreviousCheckpointId()).isNull();
        assertThat(promoted.getModelVersion()).isEqualTo(first.getModelVersion());
        Path report = Path.of(URI.create(first.getReportUri()));
        assertThat(report.resolve("report.json")).exists();
        assertThat(Files.readString(report.resolve("leaderboard.csv")))
                .startsWith("Language,ModelInput,ModelOutput,GT_Answer");
        assertThat(Files.readString(report.resolve("accuracy.svg"))).contains("<svg");
        assertThat(Files.readString(report.resolve("promotion.json"))).contains("\"promoted\" : true")
                .contains("first evaluated checkpoint");
        Path version = EvalTestBackend.root.resolve("model-repository/mmed-llm").resolve(first.getModelVersion());
        assertThat(Files.readString(version.resolve("model.json"))).contains(c1);
        // Measured under the candidate model, which holds only that version and is unloaded afterwards.
        assertThat(EvalTestBackend.triton.loads).containsExactly("mmed-llm-candidate " + candidateConfig(first));
        assertThat(EvalTestBackend.triton.unloads).containsExactly("mmed-llm-candidate");
        assertThat(EvalTestBackend.triton.loaded).isEmpty();

        send(c2, checkpointDir(c2, "Answer: B"));
        EvalCompleted second = awaitResult(c2);
        assertFigures(second, benchmark, Set.of("B"));
        assertThat(second.getMeanAccuracy()).isGreaterThan(first.getMeanAccuracy() + 1.0);
        // The serving model (inference's) is never loaded or unloaded by eval: only the candidate model, one version.
        assertThat(EvalTestBackend.triton.loads).containsExactly("mmed-llm-candidate " + candidateConfig(first),
                "mmed-llm-candidate " + candidateConfig(second));
        assertThat(EvalTestBackend.triton.unloads).containsOnly("mmed-llm-candidate").hasSize(2);
        assertThat(EvalTestBackend.triton.loaded).isEmpty();
        try (var staged = Files.list(EvalTestBackend.root.resolve("model-repository/mmed-llm-candidate"))) {
            assertThat(staged.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.pbtxt",
                    second.getModelVersion());
        }
        // Not promoted, and why, where no event says it: in its report directory.
        assertThat(Files.readString(Path.of(URI.create(second.getReportUri())).resolve("promotion.json")))
                .contains("\"promoted\" : false").contains("falls more than the tolerance");

        send(c1, checkpointDir(c1, "###Answer: OPTION A IS CORRECT.</s>")); // a repeated announcement
        send(c3, checkpointDir(c3, "###Answer: OPTION A IS CORRECT."));
        awaitResult(c3);

        assertThat(results).filteredOn(r -> r.getCheckpointId().equals(c1)).hasSize(1);
        assertThat(promotions).extracting(ModelPromoted::getCheckpointId).containsExactly(c1);
        assertThat(EvalTestBackend.triton.problems).isEmpty();

        // A checkpoint the backend refuses to load is given up on after max-attempts (3), with the reason on record,
        // and does not block the next one.
        String c4 = "round-" + run + "-step-4";
        String c5 = "round-" + run + "-step-5";
        Path broken = checkpointDir(c4, "Answer: A");
        Files.writeString(broken.resolve("refuse-load.txt"), "corrupt weights in model.safetensors");
        send(c4, broken);
        send(c5, checkpointDir(c5, "Answer: A"));
        Path failure = EvalTestBackend.root.resolve("reports").resolve(c4).resolve("failure.json");
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.isRegularFile(failure));
        assertThat(Files.readString(failure)).contains("\"attempts\" : 3").contains("corrupt weights")
                .contains("INVALID_ARGUMENT");
        assertThat(EvalTestBackend.triton.refusedLoads).hasValue(3);
        awaitResult(c5);
        drain();
        assertThat(results).noneMatch(r -> r.getCheckpointId().equals(c4));
        assertThat(EvalTestBackend.triton.loaded).isEmpty();

        RestAssured.get("/q/health/ready").then().statusCode(200);
        RestAssured.get("/q/metrics").then().statusCode(200);
    }

    private static String candidateConfig(EvalCompleted result) {
        return "{\"backend\":\"mmed-llama\",\"max_batch_size\":0,\"model_transaction_policy\":{\"decoupled\":true},"
                + "\"version_policy\":{\"specific\":{\"versions\":[" + result.getModelVersion() + "]}}}";
    }

    private static void assertFigures(EvalCompleted result, Map<Language, List<BenchmarkQuestion>> benchmark,
                                      Set<String> answered) {
        double sum = 0;
        assertThat(result.getLanguages()).hasSize(benchmark.size());
        for (LanguageAccuracyResult l : result.getLanguages()) {
            List<BenchmarkQuestion> qs = benchmark.get(Language.fromName(l.getLanguage()).orElseThrow());
            long correct = qs.stream().filter(q -> q.answer().equals(answered)).count();
            assertThat(l.getN()).isEqualTo(qs.size());
            assertThat(l.getCorrect()).as(l.getLanguage()).isEqualTo((int) correct);
            assertThat(l.getUnparseable()).isZero();
            assertThat(l.getAccuracy()).isEqualTo(100.0 * correct / qs.size());
            sum += l.getAccuracy();
        }
        assertThat(result.getMeanAccuracy()).isCloseTo(sum / benchmark.size(), org.assertj.core.data.Offset.offset(1e-9));
    }

    private Path checkpointDir(String id, String output) throws Exception {
        Path dir = Files.createDirectories(EvalTestBackend.root.resolve("checkpoints").resolve(id));
        Files.writeString(dir.resolve("fixed-output.txt"), output);
        return dir;
    }

    private void send(String id, Path dir) throws Exception {
        CheckpointReady event = CheckpointReady.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setCheckpointId(id)
                .setUri(dir.toUri().toString())
                .setFormat("hf-llama-safetensors")
                .setRoundId(id.substring(0, id.indexOf("-step-")))
                .setStep(1)
                .setTokensSeen(1000)
                .setTokenizerName("test")
                .setTokenizerSha256("0".repeat(64))
                .setSeqLen(128)
                .build();
        producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, id, AvroSerializer.encode(event))).get();
    }

    private EvalCompleted awaitResult(String checkpoint) {
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            drain();
            return results.stream().anyMatch(r -> r.getCheckpointId().equals(checkpoint));
        });
        return results.stream().filter(r -> r.getCheckpointId().equals(checkpoint)).findFirst().orElseThrow();
    }

    private ModelPromoted awaitPromotion(String checkpoint) {
        await().atMost(Duration.ofMinutes(1)).until(() -> {
            drain();
            return promotions.stream().anyMatch(r -> r.getCheckpointId().equals(checkpoint));
        });
        return promotions.stream().filter(r -> r.getCheckpointId().equals(checkpoint)).findFirst().orElseThrow();
    }

    private void drain() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(Topics.EVAL_RESULTS)) {
                results.add(new AvroDeserializer<>(EvalCompleted.class).decode(r.value()));
            } else {
                promotions.add(new AvroDeserializer<>(ModelPromoted.class).decode(r.value()));
            }
        }
    }
}
