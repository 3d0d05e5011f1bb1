package io.mmedstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mmedstream.local.cli.Terminal;
import io.mmedstream.local.demo.MalformedSubmissions;
import io.mmedstream.local.funnel.FunnelCounts;
import io.mmedstream.local.funnel.FunnelReader;
import io.mmedstream.local.stack.LocalStack;
import io.mmedstream.local.stack.Service;
import io.mmedstream.local.stack.StackConfig;
import io.mmedstream.local.submit.JsonLines;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.domain.ShardManifest;
import io.mmedstream.tokenize.service.ModelTokenizer;

/**
 * The whole data plane across real processes, started exactly as {@code ./mmed up} starts them: a Kafka broker and
 * the ingest, filter and tokenize jars, on free ports, in a temporary MMED_HOME. A fixture corpus (medical and
 * non-medical documents in the six languages, a too-short one, one in an unsupported language, and one faulty
 * submission of each kind) goes in through the {@code submit} code path; the test then checks the accounting from
 * the topics and the shards on disk.
 */
class PipelineEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    private static LocalStack stack;
    private static String bootstrap;

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
        StackConfig config = new StackConfig(root, home, freePortPair(), ports, Duration.ofSeconds(150), List.of());
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
