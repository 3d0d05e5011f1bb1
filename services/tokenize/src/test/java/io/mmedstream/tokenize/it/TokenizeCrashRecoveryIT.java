package io.mmedstream.tokenize.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.DocumentAccepted;
import io.mmedstream.proto.ShardReady;
import io.mmedstream.proto.Topics;
import io.mmedstream.tokenize.ShardFilesOnDisk;
import io.mmedstream.tokenize.TestDocuments;
import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.service.ModelTokenizer;
import io.mmedstream.tokenize.service.ShardBuilder;
import io.mmedstream.tokenize.service.ShardNames;

/**
 * Exactly-once across a real crash: runs the packaged service ({@code target/quarkus-app}) as a child process against
 * a real broker, kills it with SIGKILL right after its first shard is announced, while most of the input is still
 * unprocessed, restarts it, and checks that every accepted document's tokens are in exactly one announced shard.
 */
class TokenizeCrashRecoveryIT {

    private static final Path APP = Path.of(System.getProperty("mmed.quarkus-app",
            "target/quarkus-app/quarkus-run.jar"));
    private static final int FIRST_BATCH = 1500;
    private static final int SECOND_BATCH = 300;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void afterAKillNineMidStreamAndARestartEveryDocumentIsInExactlyOneAnnouncedShard() throws Exception {
        assertThat(APP).as("the packaged service (mvn package builds it)").exists();
        String bootstrap = KafkaTestResource.broker().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String group = "tokenize-it-" + run;
        Path storage = Path.of("target", "it-shards-" + run).toAbsolutePath();
        Path logs = Files.createDirectories(Path.of("target", "it-logs").toAbsolutePath());
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "MMED_TOKENIZE_STORAGE_DIR", storage.toString(),
                "MMED_TOKENIZE_SHARD_TARGET_TOKENS", "1500",
                "MMED_TOKENIZE_SHARD_MAX_IDLE", "1s",
                "MMED_TOKENIZE_KAFKA_GROUP_ID", group,
                "MMED_TOKENIZE_KAFKA_SESSION_TIMEOUT", "6s",
                "MMED_INSTANCE_ID", "it-" + run,
                "QUARKUS_HTTP_PORT", "0");

        List<DocumentAccepted> first = TestDocuments.documents("crash-" + run + "-a", FIRST_BATCH, 11);
        List<DocumentAccepted> second = TestDocuments.documents("crash-" + run + "-b", SECOND_BATCH, 12);
        Map<String, DocumentAccepted> all = Stream.concat(first.stream(), second.stream())
                .collect(Collectors.toMap(DocumentAccepted::getDocId, Function.identity()));
        Map<String, int[]> expectedTokens = new HashMap<>();
        long expectedTotal = 0;
        String tokenizerSha;
        int eos;
        try (ModelTokenizer tokenizer = ModelTokenizer.loadDefault()) {
            for (DocumentAccepted doc : all.values()) {
                int[] ids = tokenizer.encode(doc.getText());
                expectedTokens.put(doc.getDocId(), ids);
                expectedTotal += ids.length + 1;
            }
            tokenizerSha = tokenizer.sha256();
            eos = tokenizer.eosId();
        }

        try (KafkaProducer<String, byte[]> producer = TestDocuments.producer(bootstrap);
                TestDocuments.ShardReadyReader reader = new TestDocuments.ShardReadyReader(bootstrap)) {
            List<ShardReady> before = reader.readToEnd(Duration.ofSeconds(30)); // other tests' events, if any
            TestDocuments.send(producer, first);

            // 1. Start, and kill -9 as soon as the first shard is announced.
            Path firstLog = logs.resolve("tokenize-" + run + "-1.log");
            Process process = start(env, firstLog);
            await("first ShardReady (log: " + firstLog + ")").atMost(Duration.ofSeconds(120))
                    .until(() -> ours(reader.poll(), before).size() > 0);
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no leave-group
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<ShardReady> atKill = ours(reader.readToEnd(Duration.ofSeconds(30)), before);
            long docsAtKill = atKill.stream().mapToLong(ShardReady::getDocumentCount).sum();
            assertThat(docsAtKill).as("the kill must come mid-stream, with input left to process (log: %s)",
                    firstLog).isPositive().isLessThan(FIRST_BATCH);
            Set<String> announcedAtKill = atKill.stream().map(ShardReady::getShardId).collect(Collectors.toSet());
            List<String> unannouncedAtKill = shardIdsOnDisk(storage).stream()
                    .filter(id -> !announcedAtKill.contains(id)).toList();
            System.out.printf("killed after %d announced shards (%d of %d documents); shard files on disk not "
                    + "announced: %s%n", atKill.size(), docsAtKill, FIRST_BATCH, unannouncedAtKill);

            // A shard written but never committed, as a kill between the write and the commit leaves it, and an
            // interrupted write: the restart must remove both before it reads the partition.
            String planted = ShardNames.shardId(ModelTokenizer.DEFAULT_NAME, 0, 900_000_000_000L);
            ShardBuilder plantedShard = new ShardBuilder(ModelTokenizer.DEFAULT_NAME, tokenizerSha, eos, 2048)
                    .source(Topics.DOCS_ACCEPTED, 0, group);
            plantedShard.add("never-committed", "en", 900_000_000_000L, new int[] { 5, 6 });
            plantedShard.writeTo(storage, planted);
            Path interrupted = Files.createDirectories(storage.resolve(ShardNames.STAGING_DIR)
                    .resolve(ShardNames.shardId(ModelTokenizer.DEFAULT_NAME, 1, 900_000_000_000L) + ".1"));
            Files.writeString(interrupted.resolve("partial.tokens"), "cut short");

            // 2. More input while the service is down, then restart.
            TestDocuments.send(producer, second);
            Path secondLog = logs.resolve("tokenize-" + run + "-2.log");
            process = start(env, secondLog);
            await("every document announced after the restart (log: " + secondLog + ")")
                    .atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                    .until(() -> announcedDocIds(ours(reader.poll(), before)).containsAll(all.keySet()));

            // 3. Stop it cleanly (SIGTERM) and read the whole record.
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("clean stop (log: %s)", secondLog).isTrue();
            List<ShardReady> events = ours(reader.readToEnd(Duration.ofSeconds(30)), before);

            assertThat(events).extracting(ShardReady::getShardId).as("no shard announced twice")
                    .doesNotHaveDuplicates();
            List<String> docIds = new ArrayList<>();
            long tokens = 0;
            for (ShardReady event : events) {
                ShardFilesOnDisk shard = ShardFilesOnDisk.of(event);
                assertThat(shard.manifest().tokensSha256()).isEqualTo(event.getTokensSha256());
                assertThat(shard.manifest().tokenCount()).isEqualTo(event.getTokenCount());
                assertThat(shard.tokens()).hasSize((int) event.getTokenCount());
                assertThat(shard.documents()).hasSize(event.getDocumentCount());
                assertThat(event.getTokenizerSha256()).isEqualTo(tokenizerSha);
                for (ShardDocument doc : shard.documents()) {
                    docIds.add(doc.docId());
                    int[] ids = expectedTokens.get(doc.docId());
                    assertThat(ids).as("unknown document %s in %s", doc.docId(), event.getShardId()).isNotNull();
                    int[] slice = shard.tokensOf(doc);
                    assertThat(slice).hasSize(ids.length + 1);
                    assertThat(slice[ids.length]).isEqualTo(eos);
                    assertThat(java.util.Arrays.copyOf(slice, ids.length)).isEqualTo(ids);
                }
                tokens += event.getTokenCount();
            }
            assertThat(docIds).as("every accepted document in exactly one announced shard")
                    .hasSize(all.size()).containsExactlyInAnyOrderElementsOf(all.keySet());
            assertThat(tokens).as("shard tokens = document tokens + one EOS each").isEqualTo(expectedTotal);

            Set<String> announced = events.stream().map(ShardReady::getShardId).collect(Collectors.toSet());
            assertThat(shardIdsOnDisk(storage)).as("no shard files on disk that were never announced")
                    .containsExactlyInAnyOrderElementsOf(announced);
            assertThat(storage.resolve(planted + ".json")).doesNotExist();
            try (Stream<Path> staging = Files.list(storage.resolve(ShardNames.STAGING_DIR))) {
                assertThat(staging).as("staging folder empty").isEmpty();
            }
            assertThat(storage.resolve("tokenizers").resolve(tokenizerSha).resolve("tokenizer.json")).exists();
            assertThat(Files.readString(secondLog)).contains("removed uncommitted shard files");
        }
        deleteTree(storage); // kept when the test fails, for a look
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private Process start(Map<String, String> env, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-jar", APP.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** Events announced during this test (the broker is shared by the JVM's tests). */
    private static List<ShardReady> ours(List<ShardReady> events, List<ShardReady> before) {
        return events.subList(before.size(), events.size());
    }

    private static Set<String> announcedDocIds(List<ShardReady> events) throws IOException {
        Set<String> ids = new HashSet<>();
        for (ShardReady event : events) {
            ShardFilesOnDisk.of(event).documents().forEach(d -> ids.add(d.docId()));
        }
        return ids;
    }

    /** Ids of every shard that has any file in the storage directory. */
    private static Set<String> shardIdsOnDisk(Path storage) throws IOException {
        if (!Files.isDirectory(storage)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(storage)) {
            return files.map(p -> ShardNames.parse(p.getFileName().toString()))
                    .flatMap(java.util.Optional::stream).map(ShardNames.ShardFile::shardId)
                    .collect(Collectors.toSet());
        }
    }
}
