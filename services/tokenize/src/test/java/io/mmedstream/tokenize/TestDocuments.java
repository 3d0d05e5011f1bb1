package io.mmedstream.tokenize;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroDeserializer;
import io.mmedstream.proto.serde.AvroSerializer;

/** Test fixtures: accepted documents in the six languages, written by us, and Kafka helpers for the tests. */
public final class TestDocuments {

    private static final Map<String, String[]> SENTENCES = Map.of(
            "en", new String[] { "The patient presented with fever and a cough lasting %d days.",
                    "Blood pressure was %d/80 mmHg and the heart rate was regular.",
                    "Metformin %d mg twice daily was started for type 2 diabetes.",
                    "A chest X-ray showed no infiltrate; follow-up is planned in %d weeks." },
            "zh", new String[] { "患者发热伴咳嗽%d天。", "血压%d/80毫米汞柱，心率规则。", "给予二甲双胍%d毫克，每日两次。",
                    "胸片未见浸润，%d周后复查。" },
            "ja", new String[] { "患者は%d日間続く発熱と咳を訴えた。", "血圧は%d/80 mmHgで、脈拍は整であった。",
                    "2型糖尿病に対してメトホルミン%d mgを1日2回開始した。", "胸部X線で浸潤影はなく、%d週間後に再診とした。" },
            "ru", new String[] { "Пациент поступил с лихорадкой и кашлем в течение %d дней.",
                    "Артериальное давление %d/80 мм рт. ст., ритм сердца правильный.",
                    "Назначен метформин %d мг два раза в день.", "Контрольный осмотр через %d недели." },
            "fr", new String[] { "Le patient présentait une fièvre et une toux depuis %d jours.",
                    "La tension artérielle était de %d/80 mmHg.", "La metformine %d mg deux fois par jour a été débutée.",
                    "Un contrôle est prévu dans %d semaines." },
            "es", new String[] { "El paciente presentó fiebre y tos durante %d días.",
                    "La presión arterial fue de %d/80 mmHg.", "Se inició metformina %d mg dos veces al día.",
                    "Se programó un control en %d semanas." });

    public static final List<String> LANGUAGES = List.of("en", "zh", "ja", "ru", "fr", "es");

    private TestDocuments() {
    }

    /** {@code count} documents, languages in turn, each of 3 to 12 sentences; ids start with {@code prefix}. */
    public static List<DocumentAccepted> documents(String prefix, int count, long seed) {
        Random random = new Random(seed);
        List<DocumentAccepted> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String lang = LANGUAGES.get(i % LANGUAGES.size());
            String[] sentences = SENTENCES.get(lang);
            StringBuilder text = new StringBuilder();
            int n = 3 + random.nextInt(10);
            for (int s = 0; s < n; s++) {
                if (s > 0) {
                    text.append(lang.equals("zh") || lang.equals("ja") ? "" : " ");
                }
                text.append(String.format(sentences[random.nextInt(sentences.length)], 1 + random.nextInt(400)));
            }
            docs.add(accepted(prefix + "-" + i, lang, text.toString()));
        }
        return docs;
    }

    public static DocumentAccepted accepted(String docId, String lang, String text) {
        return DocumentAccepted.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setDocId(docId)
                .setText(text)
                .setLang(lang)
                .setSource("test")
                .setFilterVersion("test")
                .setIngestedEventId(UUID.randomUUID().toString())
                .build();
    }

    /** A producer of raw values to the accepted topic. */
    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends documents keyed by their id and waits until the broker has them all. */
    public static void send(KafkaProducer<String, byte[]> producer, List<DocumentAccepted> docs) {
        for (DocumentAccepted doc : docs) {
            producer.send(new ProducerRecord<>(Topics.DOCS_ACCEPTED, doc.getDocId(), AvroSerializer.encode(doc)));
        }
        producer.flush();
    }

    /** Reads the committed ShardReady events of the whole topic from the beginning, in order, as it grows. */
    public static final class ShardReadyReader implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final AvroDeserializer<ShardReady> decoder = new AvroDeserializer<>(ShardReady.class);
        private final List<ShardReady> events = new ArrayList<>();

        public ShardReadyReader(String bootstrap) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(Topics.SHARDS_READY)) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Polls once and returns every event read so far. */
        public List<ShardReady> poll() {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                events.add(decoder.decode(record.value()));
            }
            return List.copyOf(events);
        }

        /** Polls until every committed event of the topic has been read; returns them all. */
        public List<ShardReady> readToEnd(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.SHARDS_READY + " to its end " + end);
                }
                poll();
            }
            return List.copyOf(events);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** Sums a per-language map of longs. */
    public static Map<String, Long> add(Map<String, Long> total, Map<String, Long> more) {
        Map<String, Long> sum = new HashMap<>(total);
        more.forEach((k, v) -> sum.merge(k, v, Long::sum));
        return sum;
    }
}
