package io.mmedstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.grpc.Status;

import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.BenchmarkReader;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.report.LeaderboardCsv;
import io.mmedstream.eval.report.LeaderboardRow;
import io.mmedstream.local.cli.Terminal;
import io.mmedstream.local.demo.MalformedSubmissions;
import io.mmedstream.local.funnel.FunnelCounts;
import io.mmedstream.local.funnel.FunnelReader;
import io.mmedstream.local.rounds.CoordinatorClient;
import io.mmedstream.local.rounds.RoundDriver;
import io.mmedstream.local.rounds.RoundInfo;
import io.mmedstream.local.rounds.RoundTable;
import io.mmedstream.local.serving.InferenceClient;
import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.stack.Service;
import io.mmedstream.local.stack.StackConfig;
import io.mmedstream.local.stack.TrainerPrerequisites;
import io.mmedstream.local.submit.JsonLines;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;
import io.mmedstream.proto.CheckpointReady;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.EvalCompleted;
import io.mmedstream.proto.LanguageAccuracyResult;
import io.mmedstream.proto.ModelPromoted;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.ModelInfo;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.domain.ShardManifest;
import io.mmedstream.tokenize.service.ModelTokenizer;

/**
 * The whole pipeline across real processes, started exactly as {@code ./mmed up} starts them: a Kafka broker and the
 * ingest, filter, tokenize, train-coordinator, model-server, eval and inference jars, on free ports, in a temporary
 * MMED_HOME. A fixture corpus (medical and non-medical documents in the six languages, a too-short one, one in an
 * unsupported language, and one faulty submission of each kind) goes in through the {@code submit} code path; the
 * first test checks the accounting from the topics and the shards on disk; the second has the train-coordinator train
 * a round on those shards with the real trainer (services/trainer, a fresh tiny model, 40 short steps), as
 * {@code ./mmed demo} does, and checks the {@code CheckpointReady} and the checkpoint on disk; the third follows that
 * checkpoint through eval (the embedded MMedBench set, answered by the model server from the model repository),
 * its {@code EvalCompleted} and {@code ModelPromoted}, to an {@code Answer} over gRPC from inference, which must come
 * from the promoted version and equal what eval measured for the same question. The second and third are skipped
 * when no Python with PyTorch is found.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    private static LocalStack stack;
    private static String bootstrap;
    private static Optional<String> python;
    /** The checkpoint of the second test, which the third follows through eval and inference. */
    private static CheckpointReady trained;

    /**
     * A round two busy cores train in about a minute: 40 steps of 4 windows of 32 tokens (a step's cost is mostly the
     * optimizer's, over the 92,544-token embedding, so more windows cost little and steady the loss), every language
     * in (the fixture has one short document per language), one attempt so that a failure shows at once.
     */
    private static final Map<String, String> SHORT_ROUND = Map.of(
            "MMED_COORDINATOR_TRAINING_SEQ_LEN", "32",
            "MMED_COORDINATOR_TRAINING_MICRO_BATCH_SIZE", "4",
            "MMED_COORDINATOR_TRAINING_MIN_STEPS", "40",
            "MMED_COORDINATOR_TRAINING_MAX_STEPS", "40",
            "MMED_COORDINATOR_TRAINING_SAVE_EVERY", "0",
            "MMED_COORDINATOR_MIXING_MIN_LANGUAGE_WINDOWS", "1",
            "MMED_COORDINATOR_ROUNDS_MAX_ATTEMPTS", "1");
    private static final int SHORT_ROUND_STEPS = 40;

    /** Documents that must be accepted, one per language: dense clinical text. */
    private static final Map<String, String> MEDICAL = Map.of(
            "en", "A 58-year-old patient was admitted to the hospital with fever, cough and shortness of breath. The "
                    + "physician diagnosed pneumonia after a chest X-ray, and blood tests showed signs of infection. "
                    + "Treatment with intravenous antibiotics was started, and the doctor monitored blood pressure, "
                    + "heart rate and oxygen saturation. The patient also had diabetes and hypertension, so the "
                    + "medication doses were adjusted. After five days of therapy the symptoms improved and the "
                    + "patient was discharged with oral antibiotics and a follow-up visit at the clinic.",
            "fr", "Un patient de 62 ans a été hospitalisé pour une fièvre, une toux et une douleur thoracique. Le "
                    + "médecin a diagnostiqué une pneumonie après une radiographie du thorax, et une analyse de sang "
                    + "a montré une infection. Un traitement antibiotique par voie intraveineuse a été débuté. Le "
                    + "patient souffrait aussi de diabète et d'hypertension artérielle, et la dose des médicaments a "
                    + "été adaptée. Après une semaine de traitement, les symptômes se sont améliorés et le patient est "
                    + "sorti de l'hôpital avec une ordonnance et un rendez-vous chez son médecin traitant.",
            "es", "Un paciente de 45 años ingresó en el hospital con fiebre, tos y dolor torácico. El médico "
                    + "diagnosticó una neumonía tras una radiografía de tórax, y el análisis de sangre mostró signos "
                    + "de infección. Se inició un tratamiento con antibióticos por vía intravenosa. El paciente "
                    + "también tenía diabetes e hipertensión, por lo que se ajustó la dosis de los medicamentos. Tras "
                    + "una semana de tratamiento los síntomas mejoraron y el paciente recibió el alta con una receta "
                    + "y una cita de control con su médico en el centro de salud.",
            "ru", "Пациент 60 лет был госпитализирован в больницу с высокой температурой, кашлем и болью в груди. "
                    + "Врач поставил диагноз пневмония после рентгенографии грудной клетки, анализ крови показал "
                    + "признаки инфекции. Было начато лечение антибиотиками. У пациента также были диабет и "
                    + "артериальная гипертензия, поэтому дозы лекарств были изменены, врач контролировал давление "
                    + "и пульс. После недели лечения симптомы уменьшились, и пациента выписали из больницы с "
                    + "рецептом и направлением к врачу поликлиники.",
            "zh", "患者，男，六十岁，因发热、咳嗽、胸痛三天入院。医生根据胸部X线检查和血常规结果诊断为肺炎，血液检查提示"
                    + "细菌感染。入院后给予静脉抗生素治疗。患者既往有糖尿病和高血压病史，医生调整了药物剂量，并监测血压、"
                    + "心率和血糖。治疗一周后，患者症状明显好转，体温恢复正常，医生安排出院，嘱咐患者按时服药，两周后到"
                    + "医院门诊复查。",
            "ja", "六十歳の男性患者が、発熱、咳、胸痛を主訴に病院を受診し入院した。医師は胸部X線検査と血液検査の結果から"
                    + "肺炎と診断し、細菌感染が疑われた。抗生物質の点滴による治療を開始した。患者には糖尿病と高血圧の既往歴"
                    + "があり、薬の用量を調整し、血圧と血糖を毎日測定した。一週間の治療で症状は改善し、医師は退院を許可した。"
                    + "退院後は外来で経過観察を行う予定である。");

    /** Documents that must be dropped as not medical. */
    private static final Map<String, String> NEWS = Map.of(
            "en", "The city council approved a new budget for public transport on Tuesday. The plan adds three bus "
                    + "lines, extends the tram network to the northern suburbs and lowers ticket prices for students. "
                    + "Local businesses welcomed the decision, saying better connections would bring more customers "
                    + "to the old town. Construction of the new tram stops is expected to begin next spring.",
            "fr", "Le conseil municipal a adopté mardi un nouveau budget pour les transports publics. Le projet prévoit "
                    + "trois nouvelles lignes de bus, le prolongement du tramway vers les quartiers nord et une baisse "
                    + "du prix des billets pour les étudiants. Les commerçants du centre-ville se sont félicités de "
                    + "cette décision. Les travaux commenceront au printemps prochain.",
            "es", "El ayuntamiento aprobó el martes un nuevo presupuesto para el transporte público. El plan añade tres "
                    + "líneas de autobús, amplía la red de tranvía hacia los barrios del norte y reduce el precio de "
                    + "los billetes para los estudiantes. Los comerciantes del centro celebraron la decisión. Las "
                    + "obras comenzarán la próxima primavera y durarán unos dos años.",
            "ru", "Городской совет во вторник утвердил новый бюджет на общественный транспорт. План предусматривает "
                    + "три новых автобусных маршрута, продление трамвайной линии в северные районы и снижение цен на "
                    + "билеты для студентов. Владельцы магазинов в центре города приветствовали это решение. "
                    + "Строительство начнётся следующей весной.",
            "zh", "市议会周二通过了新的公共交通预算。该计划新增三条公交线路，将有轨电车线路延伸到北部城区，并降低学生的票价。"
                    + "市中心的商家对这一决定表示欢迎，认为更好的交通将带来更多顾客。新车站的建设预计明年春天开始，工期约两年。",
            "ja", "市議会は火曜日、公共交通の新しい予算を承認した。計画では、バス路線を三つ増やし、路面電車を北部の地区まで"
                    + "延長し、学生の運賃を引き下げる。中心街の商店主たちはこの決定を歓迎した。新しい停留所の工事は来年の春に"
                    + "始まり、約二年かかる見込みだ。");

    private static final String TOO_SHORT = "Fever.";
    private static final String GERMAN = "Der Patient wurde mit Fieber, Husten und Atemnot ins Krankenhaus "
            + "eingeliefert. Der Arzt stellte nach einer Röntgenaufnahme eine Lungenentzündung fest und verordnete "
            + "Antibiotika. Nach einer Woche Behandlung besserten sich die Beschwerden und der Patient wurde entlassen.";

    @BeforeAll
    static void startTheStack() throws IOException {
        Path root = Path.of(System.getProperty("mmed.root", "../.."));
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, freePort());
        }
        int kafka = freePortPair();
        StackConfig config = new StackConfig(root, home, kafka, ports, Duration.ofSeconds(150), List.of())
                .withPorts(kafka, ports, freePort()).withCoordinatorSettings(SHORT_ROUND);
        python = new TrainerPrerequisites(TrainerPrerequisites.system(), line -> { })
                .find(Optional.ofNullable(System.getenv("MMED_PYTHON")));
        if (python.isPresent()) {
            config = config.withTrainerPython(python.get());
        }
        for (Service s : Service.values()) {
            assertThat(s.jar(config.root())).as("package the services first (mvn install builds this module last)")
                    .isRegularFile();
        }
        stack = new LocalStack(config, line -> System.out.println("[stack] " + line));
        bootstrap = stack.up().bootstrap();
    }

    @AfterAll
    static void stopTheStack() {
        if (stack != null) {
            stack.down();
            assertThat(stack.processesRunning()).isFalse();
            assertThat(stack.components()).allSatisfy(c -> assertThat(c.pid()).isEmpty());
        }
    }

    @Test
    @Order(1)
    void everySubmissionIsAccountedForAndTheShardsHoldExactlyTheAcceptedTokens() throws Exception {
        List<byte[]> valid = new ArrayList<>();
        MEDICAL.forEach((lang, text) -> valid.add(submission(text, lang)));
        NEWS.forEach((lang, text) -> valid.add(submission(text, lang)));
        valid.add(submission(TOO_SHORT, "en"));
        valid.add(submission(GERMAN, null));
        List<MalformedSubmissions.Malformed> malformed = MalformedSubmissions.all();
        Path corpus = home.resolve("fixture.jsonl");
        try (OutputStream out = Files.newOutputStream(corpus)) {
            for (byte[] line : valid) {
                out.write(line);
                out.write('\n');
            }
            for (MalformedSubmissions.Malformed m : malformed) {
                out.write(m.value());
                out.write('\n');
            }
        }
        int submitted = valid.size() + malformed.size();

        try (JsonLines lines = JsonLines.open(corpus); Submitter submitter = Submitter.connect(bootstrap)) {
            SubmissionRun.Result result = SubmissionRun.run(submitter, SubmissionSource.of(lines), quietTerminal());
            assertThat(result.documents()).isEqualTo(submitted);
        }

        AtomicReference<FunnelCounts> funnel = new AtomicReference<>();
        try (FunnelReader reader = FunnelReader.open(bootstrap)) {
            await("every submission through the pipeline").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        funnel.set(reader.catchUp(Duration.ofSeconds(20)));
                        return funnel.get().submitted() == submitted && funnel.get().drained();
                    });
        }
        FunnelCounts c = funnel.get();

        // The accounting.
        assertThat(c.ingested() + c.rejected()).isEqualTo(c.submitted());
        assertThat(c.accepted() + c.dropped()).isEqualTo(c.ingested());
        assertThat(c.shardDocuments()).isEqualTo(c.accepted());
        assertThat(c.rejected()).isEqualTo(malformed.size());
        assertThat(c.rejectedByReason().keySet()).containsExactlyInAnyOrderElementsOf(
                malformed.stream().map(MalformedSubmissions.Malformed::expectedReason).toList());
        assertThat(c.ingested()).isEqualTo(valid.size());
        assertThat(c.droppedByReason()).containsKeys("not_medical");
        assertThat(c.dropped()).isGreaterThanOrEqualTo(NEWS.size() + 2);

        // What the filter accepted: every medical document, in its language.
        Map<String, DocumentAccepted> accepted = readAccepted();
        assertThat(accepted).hasSize((int) c.accepted());
        assertThat(accepted.values()).extracting(DocumentAccepted::getLang)
                .containsExactlyInAnyOrderElementsOf(MEDICAL.keySet());

        // The shards on disk: each accepted document exactly once, its tokens those of the real tokenizer plus EOS.
        List<ShardManifest> manifests = manifests(stack.shardsDir());
        assertThat(manifests).hasSize((int) c.shards());
        Map<String, Integer> timesInShards = new HashMap<>();
        long tokensOnDisk = 0;
        try (ModelTokenizer tokenizer = ModelTokenizer.loadDefault()) {
            for (ShardManifest manifest : manifests) {
                int[] tokens = readTokens(stack.shardsDir().resolve(manifest.tokensFile()));
                assertThat(tokens).as(manifest.shardId()).hasSize((int) manifest.tokenCount());
                assertThat(manifest.tokenizerSha256()).isEqualTo(tokenizer.sha256());
                tokensOnDisk += tokens.length;
                long expectedStart = 0;
                for (ShardDocument doc : readDocs(stack.shardsDir().resolve(manifest.docsFile()))) {
                    timesInShards.merge(doc.docId(), 1, Integer::sum);
                    DocumentAccepted source = accepted.get(doc.docId());
                    assertThat(source).as("shard document %s was accepted", doc.docId()).isNotNull();
                    int[] expected = withEos(tokenizer.encode(source.getText()), tokenizer.eosId());
                    assertThat(doc.tokenStart()).as("documents packed back to back").isEqualTo(expectedStart);
                    assertThat(Arrays.copyOfRange(tokens, (int) doc.tokenStart(),
                            (int) (doc.tokenStart() + doc.tokenCount()))).as(doc.docId()).containsExactly(expected);
                    expectedStart += doc.tokenCount();
                }
                assertThat(expectedStart).isEqualTo(tokens.length);
            }
            long expectedTokens = 0;
            for (DocumentAccepted doc : accepted.values()) {
                expectedTokens += tokenizer.encode(doc.getText()).length + 1;
            }
            assertThat(tokensOnDisk).isEqualTo(expectedTokens).isEqualTo(c.shardTokens());
        }
        assertThat(timesInShards).as("every accepted document in exactly one shard")
                .containsOnlyKeys(accepted.keySet()).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }

    @Test
    @Order(2)
    @Timeout(value = 6, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theShardsBecomeACheckpointTrainedByTheRealTrainerWhoseLossFell() throws Exception {
        Assumptions.assumeTrue(python.isPresent(), "no Python with PyTorch and NumPy ($MMED_PYTHON, else "
                + String.join(", ", TrainerPrerequisites.CANDIDATES) + "): the training round is skipped");
        List<ShardReady> shards = readAll(Topics.SHARDS_READY, ShardReady.class);
        assertThat(shards).as("the shards of the accounting test, which runs first").isNotEmpty();
        List<String> shardIds = shards.stream().map(ShardReady::getShardId).toList();

        CoordinatorClient coordinator = CoordinatorClient.local(stack.port(Service.TRAIN_COORDINATOR));
        RoundDriver driver = new RoundDriver(coordinator, Duration.ofMillis(500), Duration.ofSeconds(60),
                line -> System.out.println("[round] " + line));
        RoundDriver.Start start = driver.start(shardIds, Duration.ofSeconds(60));
        assertThat(start.ours()).as("a round of the test's shards").isTrue();
        List<RoundInfo> seen = new ArrayList<>();
        RoundInfo round = driver.follow(start.round().roundId(), r -> {
            if (seen.isEmpty() || !RoundTable.progress(r).equals(RoundTable.progress(seen.get(seen.size() - 1)))) {
                System.out.println("[round] " + RoundTable.progress(r));
            }
            seen.add(r);
        });

        assertThat(round.state()).as("%s: %s", round.failureReason(), round.failureMessage()).isEqualTo("SUCCEEDED");
        assertThat(round.shardIds()).containsExactlyInAnyOrderElementsOf(shardIds);
        assertThat(seen).as("progress was visible while the round ran")
                .anyMatch(r -> r.state().equals("RUNNING") && r.step() > 0 && r.loss() != null);
        assertThat(round.step()).isEqualTo(SHORT_ROUND_STEPS);
        assertThat(round.lossFell()).contains(true);

        // The announcement: one CheckpointReady, committed, for this round.
        List<CheckpointReady> checkpoints = readAll(Topics.CHECKPOINTS, CheckpointReady.class);
        assertThat(checkpoints).hasSize(1);
        CheckpointReady checkpoint = checkpoints.get(0);
        assertThat(checkpoint.getRoundId()).isEqualTo(round.roundId());
        assertThat(checkpoint.getStep()).isEqualTo(SHORT_ROUND_STEPS);
        assertThat(checkpoint.getShardIds()).containsExactlyInAnyOrderElementsOf(shardIds);
        assertThat(checkpoint.getFirstTrainLoss()).isNotNull();
        assertThat(checkpoint.getFinalTrainLoss()).as("the training loss fell")
                .isLessThan(checkpoint.getFirstTrainLoss());
        assertThat(checkpoint.getTokensSeen()).isPositive();
        assertThat(checkpoint.getUri()).isEqualTo(round.checkpointUri());

        // The checkpoint on disk: a Hugging Face Llama directory under $MMED_HOME/checkpoints.
        Path dir = Path.of(URI.create(checkpoint.getUri()));
        assertThat(dir).startsWith(home.resolve("checkpoints")).isDirectory();
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        assertThat(config.path("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
        assertThat(config.path("hidden_size").asInt()).isEqualTo(128);
        assertThat(safetensorsTensorNames(dir.resolve("model.safetensors")))
                .contains("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight");
        try (ModelTokenizer tokenizer = ModelTokenizer.loadDefault()) {
            assertThat(checkpoint.getTokenizerSha256()).isEqualTo(tokenizer.sha256());
            assertThat(config.path("vocab_size").asInt()).isGreaterThan(tokenizer.eosId());
            assertThat(sha256(dir.resolve("tokenizer.json"))).isEqualTo(tokenizer.sha256());
        }
        trained = checkpoint;
    }

    @Test
    @Order(3)
    @Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theCheckpointIsEvaluatedPromotedAndAnswersThroughInference() throws Exception {
        Assumptions.assumeTrue(python.isPresent(), "no Python with PyTorch: no checkpoint to evaluate");
        assertThat(trained).as("the checkpoint of the training test, which runs before").isNotNull();
        String checkpointId = trained.getCheckpointId();

        // Eval: one EvalCompleted for the checkpoint, with the embedded benchmark's figures.
        AtomicReference<List<EvalCompleted>> results = new AtomicReference<>(List.of());
        await("eval's EvalCompleted of " + checkpointId + " (eval's log: " + home.resolve("logs/eval.log") + ")")
                .atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    results.set(readAll(Topics.EVAL_RESULTS, EvalCompleted.class));
                    return !results.get().isEmpty();
                });
        assertThat(results.get()).hasSize(1);
        EvalCompleted result = results.get().get(0);
        assertThat(result.getCheckpointId()).isEqualTo(checkpointId);
        assertThat(result.getCheckpointUri()).isEqualTo(trained.getUri());
        assertThat(result.getModelName()).isEqualTo(LocalStack.MODEL_NAME);
        assertThat(result.getModelVersion()).isEqualTo("1");
        assertThat(result.getBenchmarkName()).isEqualTo("mini");
        assertThat(result.getBenchmarkSize()).isEqualTo(30);
        assertThat(result.getLanguages()).hasSize(6).allSatisfy(l -> {
            assertThat(l.getN()).isEqualTo(5);
            assertThat(l.getCorrect()).isBetween(0, 5);
            assertThat(l.getUnparseable()).isBetween(0, 5 - l.getCorrect());
            assertThat(l.getAccuracy()).isCloseTo(100.0 * l.getCorrect() / 5, within(1e-9));
        });
        assertThat(result.getMeanAccuracy()).isCloseTo(result.getLanguages().stream()
                .mapToDouble(LanguageAccuracyResult::getAccuracy).average().orElseThrow(), within(1e-9));

        // The checkpoint went into the shared model repository as version 1, pointing at the checkpoint itself.
        Path version = home.resolve("model-repository").resolve(LocalStack.MODEL_NAME).resolve("1");
        assertThat(home.resolve("model-repository").resolve(LocalStack.MODEL_NAME).resolve("config.pbtxt"))
                .isRegularFile();
        assertThat(Path.of(JSON.readTree(version.resolve("model.json").toFile()).path("model").asText()))
                .isEqualTo(Path.of(URI.create(trained.getUri())));
        // It was measured under eval's own candidate model (the serving model is inference's alone).
        Path candidate = home.resolve("model-repository").resolve(LocalStack.MODEL_NAME + "-candidate").resolve("1");
        assertThat(Path.of(JSON.readTree(candidate.resolve("model.json").toFile()).path("model").asText()))
                .isEqualTo(Path.of(URI.create(trained.getUri())));

        // The report: under $MMED_HOME/eval-reports, with the model's output for every question.
        Path report = Path.of(URI.create(result.getReportUri()));
        assertThat(report).startsWith(home.resolve("eval-reports"));
        List<LeaderboardRow> rows = LeaderboardCsv.readFile(report.resolve("leaderboard.csv"));
        assertThat(rows).hasSize(30);
        assertThat(JSON.readTree(report.resolve("promotion.json").toFile()).path("promoted").asBoolean()).isTrue();

        // The first evaluated checkpoint is promoted, as that version.
        List<ModelPromoted> promotions = readAll(Topics.MODELS_PROMOTED, ModelPromoted.class);
        assertThat(promotions).hasSize(1);
        ModelPromoted promoted = promotions.get(0);
        assertThat(promoted.getCheckpointId()).isEqualTo(checkpointId);
        assertThat(promoted.getModelName()).isEqualTo(LocalStack.MODEL_NAME);
        assertThat(promoted.getModelVersion()).isEqualTo(result.getModelVersion());
        assertThat(promoted.getReason()).contains("first evaluated checkpoint");
        assertThat(promoted.getMeanAccuracy()).isEqualTo(result.getMeanAccuracy());

        // Inference: the token up created is the one it accepts, and nothing else.
        Path tokenFile = home.resolve("inference-token");
        assertThat(Files.getPosixFilePermissions(tokenFile)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        Optional<String> token = stack.inferenceToken();
        assertThat(token).isPresent();
        try (InferenceClient anonymous = InferenceClient.connect("localhost", stack.inferenceGrpcPort(),
                Optional.empty())) {
            assertThatThrownBy(() -> anonymous.model(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(InferenceClient.CallException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        try (InferenceClient inference = InferenceClient.connect("localhost", stack.inferenceGrpcPort(), token)) {
            // It serves the promoted version once it has read the ModelPromoted: only then does it know the
            // checkpoint and its evaluation (a version merely found ready on the backend carries neither).
            AtomicReference<String> seen = new AtomicReference<>("nothing yet");
            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    try {
                        ModelInfo info = inference.model(Duration.ofSeconds(10));
                        seen.set(info.toString().replace('\n', ' '));
                        return info.getModel().getName().equals(promoted.getModelName())
                                && info.getModel().getVersion().equals(promoted.getModelVersion())
                                && info.getCheckpointId().equals(checkpointId);
                    } catch (InferenceClient.CallException e) {
                        seen.set(e.getMessage());
                        return false;
                    }
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("inference did not serve " + promoted.getModelName() + " version "
                        + promoted.getModelVersion() + " as ModelPromoted (" + Topics.MODELS_PROMOTED + ") said,"
                        + " with its checkpoint " + checkpointId + ", within 2 minutes: does it consume"
                        + " ModelPromoted? Its last GetModel: " + seen.get() + "; its log: "
                        + home.resolve("logs/inference.log"), e);
            }
            ModelInfo serving = inference.model(Duration.ofSeconds(10));
            assertThat(serving.getEvaluation().getMeanAccuracy()).isCloseTo(result.getMeanAccuracy(), within(1e-9));

            // An answer from the promoted model: the same prompt eval sent for this question, and (greedy, the same
            // 32-token limit) the same output eval recorded for it.
            BenchmarkQuestion question = firstMiniQuestion(Language.ENGLISH);
            AnswerResponse answer = inference.answer(question.question(), question.options(), "English", false,
                    Duration.ofMinutes(2));
            assertThat(answer.getModel().getName()).isEqualTo(promoted.getModelName());
            assertThat(answer.getModel().getVersion()).isEqualTo(promoted.getModelVersion());
            LeaderboardRow measured = rows.stream().filter(r -> r.language() == Language.ENGLISH).findFirst()
                    .orElseThrow();
            assertThat(answer.getPrompt()).isEqualTo(measured.modelInput());
            assertThat(answer.getRawOutput()).isEqualTo(measured.modelOutput());
            assertThat(answer.getUsage().getCompletionTokens()).isBetween(1L, 32L);
            if (answer.getChosenCount() == 0) {
                assertThat(answer.getUnparseableReason()).isNotBlank();
            } else {
                assertThat(question.options()).containsKeys(answer.getChosenList().toArray(String[]::new));
            }
        }
    }

    /** The first question of one language of eval's embedded benchmark (its resources). */
    private static BenchmarkQuestion firstMiniQuestion(Language language) throws IOException {
        String resource = "benchmark/mini/" + language.fileName();
        try (var in = PipelineEndToEndIT.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the class path (eval's jar)").isNotNull();
            return BenchmarkReader.read(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), language, resource)
                    .get(0);
        }
    }

    /** The tensor names in a safetensors file's header (8-byte little-endian length, then JSON). */
    private static List<String> safetensorsTensorNames(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            long length = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(length).isBetween(2L, 100_000_000L);
            JsonNode header = JSON.readTree(in.readNBytes((int) length));
            List<String> names = new ArrayList<>();
            header.fieldNames().forEachRemaining(n -> {
                if (!n.equals("__metadata__")) {
                    names.add(n);
                }
            });
            return names;
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** Every record of a topic (read_committed), decoded. */
    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic, Class<T> type) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        AvroDeserializer<T> avro = new AvroDeserializer<>(type);
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(avro.decode(r.value()));
                }
            }
        }
        return records;
    }

    private static byte[] submission(String text, String lang) {
        ObjectNode node = JSON.createObjectNode().put("text", text).put("source", "pipeline-it");
        if (lang != null) {
            node.put("lang", lang);
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Every DocumentAccepted on the topic (read_committed), by doc id. */
    private static Map<String, DocumentAccepted> readAccepted() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        AvroDeserializer<DocumentAccepted> avro = new AvroDeserializer<>(DocumentAccepted.class);
        Map<String, DocumentAccepted> byId = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DOCS_ACCEPTED).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    DocumentAccepted doc = avro.decode(r.value());
                    assertThat(byId.put(doc.getDocId(), doc)).as("accepted twice: " + doc.getDocId()).isNull();
                }
            }
        }
        return byId;
    }

    private static List<ShardManifest> manifests(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<ShardManifest> manifests = new ArrayList<>();
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                manifests.add(ShardManifest.read(f));
            }
            return manifests;
        }
    }

    private static int[] readTokens(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[] tokens = new int[bytes.remaining() / Integer.BYTES];
        bytes.asIntBuffer().get(tokens);
        return tokens;
    }

    private static List<ShardDocument> readDocs(Path file) throws IOException {
        List<ShardDocument> docs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                docs.add(JSON.readValue(line, ShardDocument.class));
            }
        }
        return docs;
    }

    private static int[] withEos(int[] tokens, int eos) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = eos;
        return out;
    }

    private static Terminal quietTerminal() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Terminal(sink, sink, false);
    }

    /** A free port whose successor is free too: the broker's controller listens on port + 1. */
    private static int freePortPair() throws IOException {
        while (true) {
            int port = freePort();
            try (ServerSocket next = new ServerSocket(port + 1)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
