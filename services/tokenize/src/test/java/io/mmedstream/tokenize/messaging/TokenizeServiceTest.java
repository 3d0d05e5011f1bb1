package io.mmedstream.tokenize.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.proto.serde.AvroSerializer;
import io.mmedstream.tokenize.ShardFilesOnDisk;
import io.mmedstream.tokenize.TestDocuments;
import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.service.ModelTokenizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class TokenizeServiceTest {

    private static final String GROUP = "mmed-tokenize-test"; // %test profile
    private static ModelTokenizer tokenizer;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = ModelTokenizer.loadDefault();
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    /** Waits until every document id is in an announced shard; returns those shards, read from disk. */
    private static List<ShardFilesOnDisk> awaitShardsHolding(Set<String> docIds) {
        List<ShardFilesOnDisk> shards = new ArrayList<>();
        try (TestDocuments.ShardReadyReader reader = new TestDocuments.ShardReadyReader(
                KafkaTestResource.bootstrapServers())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                shards.clear();
                Set<String> seen = new HashSet<>();
                for (ShardReady event : reader.poll()) {
                    ShardFilesOnDisk shard = ShardFilesOnDisk.of(event);
                    if (shard.documents().stream().anyMatch(d -> docIds.contains(d.docId()))) {
                        assertThat(shard.manifest().tokenCount()).isEqualTo(event.getTokenCount());
                        shards.add(shard);
                        shard.documents().forEach(d -> seen.add(d.docId()));
                    }
                }
                return seen.containsAll(docIds);
            });
        }
        return shards;
    }

    @Test
    void acceptedDocumentsEndUpInAnnouncedShardsHoldingTheirTokensPlusOneEosEach() throws Exception {
        List<DocumentAccepted> docs = TestDocuments.documents("svc-" + UUID.randomUUID(), 60, 7);
        Map<String, int[]> expected = new HashMap<>();
        Map<String, Long> expectedPerLang = new HashMap<>();
        long expectedTokens = 0;
        for (DocumentAccepted doc : docs) {
            int[] ids = tokenizer.encode(doc.getText());
            expected.put(doc.getDocId(), ids);
            expectedTokens += ids.length + 1;
            expectedPerLang.merge(doc.getLang(), ids.length + 1L, Long::sum);
        }
        try (KafkaProducer<String, byte[]> producer = TestDocuments.producer(KafkaTestResource.bootstrapServers())) {
            TestDocuments.send(producer, docs);
        }

        List<ShardFilesOnDisk> shards = awaitShardsHolding(expected.keySet());

        List<String> docIdsInShards = shards.stream().flatMap(s -> s.documents().stream())
                .map(ShardDocument::docId).toList();
        assertThat(docIdsInShards).containsExactlyInAnyOrderElementsOf(expected.keySet()); // each exactly once
        assertThat(shards).extracting(s -> s.manifest().shardId()).doesNotHaveDuplicates();
        assertThat(shards.size()).as("several shards: the test target size is small").isGreaterThan(3);
        assertThat(shards.stream().mapToLong(s -> s.manifest().tokenCount()).sum()).isEqualTo(expectedTokens);
        Map<String, Long> perLang = new HashMap<>();
        for (ShardFilesOnDisk shard : shards) {
            perLang = TestDocuments.add(perLang, shard.manifest().tokensPerLang());
            assertThat(shard.tokens()).hasSize((int) shard.manifest().tokenCount()); // no padding
            assertThat(shard.ends()).hasSize(shard.manifest().documentCount());
            assertThat(shard.ends()[shard.ends().length - 1]).isEqualTo(shard.manifest().tokenCount());
            assertThat(shard.manifest().sequenceCount())
                    .isEqualTo((int) ((shard.manifest().tokenCount() + 2047) / 2048));
            assertThat(shard.manifest().tokenizerSha256()).isEqualTo(tokenizer.sha256());
            assertThat(shard.manifest().consumerGroup()).isEqualTo(GROUP);
            assertThat(shard.dir().resolve(shard.manifest().tokenizerPath())).exists();
            for (ShardDocument doc : shard.documents()) {
                int[] ids = expected.get(doc.docId());
                int[] withEos = java.util.Arrays.copyOf(ids, ids.length + 1);
                withEos[ids.length] = tokenizer.eosId();
                assertThat(shard.tokensOf(doc)).as(doc.docId()).containsExactly(withEos);
                assertThat(doc.partition()).isEqualTo(shard.manifest().sourcePartition());
                assertThat(doc.offset()).isBetween(shard.manifest().firstOffset(), shard.manifest().lastOffset());
            }
        }
        assertThat(perLang).containsExactlyInAnyOrderEntriesOf(expectedPerLang);
    }

    @Test
    void anUndecodableRecordIsSkippedCountedAndCommittedWhileTheStreamContinues() throws Exception {
        String docId = "after-poison-" + UUID.randomUUID();
        RecordMetadata poison;
        try (KafkaProducer<String, byte[]> producer = TestDocuments.producer(KafkaTestResource.bootstrapServers())) {
            poison = producer.send(new ProducerRecord<>(Topics.DOCS_ACCEPTED, 0, "poison",
                    "{\"not\": \"avro\"}".getBytes())).get();
            DocumentAccepted doc = TestDocuments.accepted(docId, "en", "Aspirin reduces fever and pain.");
            producer.send(new ProducerRecord<>(Topics.DOCS_ACCEPTED, 0, docId, AvroSerializer.encode(doc))).get();
        }

        List<ShardFilesOnDisk> shards = awaitShardsHolding(Set.of(docId));

        assertThat(shards).hasSize(1);
        assertThat(shards.get(0).manifest().sourcePartition()).isZero();
        assertThat(shards.get(0).manifest().firstOffset()).isGreaterThan(poison.offset());
        assertThat(committedOffset(new TopicPartition(Topics.DOCS_ACCEPTED, 0))).isGreaterThan(poison.offset());
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(counter(metrics, "mmed_records_rejected_total\\{reason=\"invalid_avro\",service=\"tokenize\"\\}"))
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void healthIsUpAndMetricsCountTokensAndShards() throws Exception {
        String docId = "metrics-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = TestDocuments.producer(KafkaTestResource.bootstrapServers())) {
            TestDocuments.send(producer, List.of(TestDocuments.accepted(docId, "fr", "La fièvre a baissé.")));
        }
        awaitShardsHolding(Set.of(docId));

        given().get("/q/health/ready").then().statusCode(200).body(containsString("tokenize-shard-loop"));
        given().get("/q/health/live").then().statusCode(200).body(containsString("tokenize-shard-loop"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(counter(metrics, "mmed_tokens_total\\{lang=\"fr\"\\}")).isGreaterThan(0);
        assertThat(counter(metrics, "mmed_shards_written_total")).isGreaterThanOrEqualTo(1);
        assertThat(counter(metrics, "mmed_records_in_total\\{service=\"tokenize\"\\}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).contains("mmed_processing_latency_seconds_count{service=\"tokenize\"}");
        Path storage = Path.of("target/test-shards");
        assertThat(Files.exists(storage.resolve("tokenizers").resolve(tokenizer.sha256()).resolve("tokenizer.json")))
                .isTrue();
    }

    private static long committedOffset(TopicPartition tp) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.get(tp).offset();
        }
    }

    private static double counter(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
