package io.mmedstream.inference.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.inference.api.InferenceGrpcService;
import io.mmedstream.inference.api.TestBackends;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.ConcurrencyLimiter;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.inference.service.TritonModelBackend;
import io.mmedstream.kafka.KafkaTestResource;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.triton.client.ModelStatus;
import io.mmedstream.triton.client.TritonClient;

/**
 * The ModelPromoted consumer against the real embedded Kafka broker and the real local model server (KServe v2
 * gRPC, explicit model control, generation over tiny checkpoints) in-process: a published promotion makes Generate
 * and Answer serve the new version, replays change nothing, a restarted replica goes straight to the latest version,
 * an unreadable record is skipped, and without Kafka the service keeps serving. Each test follows its own model name
 * (the broker is shared by the tests of this JVM).
 */
class PromotionFollowerTest {

    @TempDir
    Path repository;

    private final String model = "mmed-" + UUID.randomUUID().toString().substring(0, 8);
    private final String apiName = "inference-" + UUID.randomUUID();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TestBackends.ModelServer backend;
    private TritonClient client;
    private ModelRouter router;
    private ManagedChannel apiChannel;
    private InferenceGrpc.InferenceBlockingStub api;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackends.modelServer(repository, model, 1, 2);
        client = backend.client();
        router = newRouter();
        GenerationService generations = new GenerationService(client, router, new ConcurrencyLimiter(8));
        Server apiServer = InProcessServerBuilder.forName(apiName).addService(new InferenceGrpcService(
                new RequestValidator(256, 4096), generations, new AnswerService(generations, 8, 16), router,
                new InferenceMetrics(registry))).build().start();
        toClose.add(() -> apiServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        apiChannel = InProcessChannelBuilder.forName(apiName).build();
        toClose.add(apiChannel::shutdownNow);
        api = InferenceGrpc.newBlockingStub(apiChannel);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        backend.close();
    }

    private ModelRouter newRouter() {
        return new ModelRouter(new TritonModelBackend(client), "vllm", Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofMillis(20), Clock.systemUTC());
    }

    private PromotionFollower follow(ModelRouter r, String bootstrap) {
        PromotionFollower follower = new PromotionFollower(Map.of("bootstrap.servers", bootstrap), r,
                Optional.of(model), Duration.ofMillis(200), Duration.ofSeconds(1), new InferenceMetrics(registry),
                Clock.systemUTC());
        follower.start();
        toClose.add(follower);
        return follower;
    }

    private double promotions(String outcome) {
        Counter c = registry.find("mmed.inference.promotions").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private List<String> loadedVersions() {
        List<String> out = new ArrayList<>();
        for (ModelStatus s : client.index(true)) {
            if (s.name().equals(model)) {
                out.add(s.version());
            }
        }
        return out;
    }

    private String generatedBy() {
        GenerateResponse last = null;
        var it = api.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                .setPrompt("Fever and cough for three days").setMaxTokens(4).build());
        while (it.hasNext()) {
            last = it.next();
        }
        assertThat(last.getFinal()).isTrue();
        assertThat(last.getModel().getName()).isEqualTo(model);
        return last.getModel().getVersion();
    }

    private String answeredBy() {
        AnswerResponse answer = api.withDeadlineAfter(60, TimeUnit.SECONDS).answer(AnswerRequest.newBuilder()
                .setQuestion("Which organ filters blood?").putOptions("A", "Liver").putOptions("B", "Kidney")
                .build());
        assertThat(answer.getModel().getName()).isEqualTo(model);
        return answer.getModel().getVersion();
    }

    @Test
    void aPublishedPromotionMakesGenerateAndAnswerServeTheNewVersion() {
        String bootstrap = KafkaTestResource.bootstrapServers();
        PromotionFollower follower = follow(router, bootstrap);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> follower.status().state() == PromotionFollower.State.FOLLOWING);

        io.mmedstream.inference.api.Promotions.publish(bootstrap, model, "1");
        await().atMost(Duration.ofSeconds(60)).until(() -> router.serving().isPresent());
        assertThat(generatedBy()).isEqualTo("1");
        assertThat(answeredBy()).isEqualTo("1");
        ServingModel serving = router.serving().orElseThrow().model();
        assertThat(serving.checkpointId()).isEqualTo("round-test-step-1");
        assertThat(serving.evaluation().orElseThrow().meanAccuracy()).isEqualTo(41.0);

        io.mmedstream.inference.api.Promotions.publish(bootstrap, model, "2");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> router.serving().orElseThrow().model().version().equals("2"));
        assertThat(generatedBy()).isEqualTo("2");
        assertThat(answeredBy()).isEqualTo("2");
        await().atMost(Duration.ofSeconds(30)).until(() -> loadedVersions().equals(List.of("2")));
        assertThat(promotions("promoted")).isEqualTo(2.0);

        // A replay of the serving version (a re-sent record, a restarted producer) changes nothing.
        var since = router.serving().orElseThrow().since();
        long read = follower.status().recordsRead();
        io.mmedstream.inference.api.Promotions.publish(bootstrap, model, "2");
        await().atMost(Duration.ofSeconds(30)).until(() -> follower.status().recordsRead() > read);
        await().atMost(Duration.ofSeconds(30)).until(() -> promotions("already-serving") == 1.0);
        assertThat(router.serving().orElseThrow().since()).isEqualTo(since);
        assertThat(promotions("promoted")).isEqualTo(2.0);
        assertThat(loadedVersions()).containsExactly("2");
    }

    @Test
    void aRestartedReplicaGoesStraightToTheLatestPromotionSkippingAnUnreadableRecord() {
        String bootstrap = KafkaTestResource.bootstrapServers();
        io.mmedstream.inference.api.Promotions.publish(bootstrap, model, "1");
        io.mmedstream.inference.api.Promotions.send(bootstrap, model,
                "not a ModelPromoted".getBytes(StandardCharsets.UTF_8));
        io.mmedstream.inference.api.Promotions.publish(bootstrap, model, "2");

        PromotionFollower follower = follow(router, bootstrap);
        await().atMost(Duration.ofSeconds(60)).until(() -> router.serving().isPresent());
        assertThat(router.serving().orElseThrow().model().version()).isEqualTo("2");
        assertThat(generatedBy()).isEqualTo("2");
        // The history was read, not replayed: version 1 was never loaded, one promotion ran.
        assertThat(promotions("promoted")).isEqualTo(1.0);
        assertThat(promotions("unreadable")).isEqualTo(1.0);
        assertThat(loadedVersions()).containsExactly("2");
        assertThat(follower.status().state()).isEqualTo(PromotionFollower.State.FOLLOWING);
    }

    @Test
    void withoutKafkaTheServiceKeepsServingWhatItHas() {
        router.promote(model, "1");
        PromotionFollower follower = follow(router, "localhost:1");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> follower.status().state() == PromotionFollower.State.UNREACHABLE);
        assertThat(follower.status().problem()).isNotEmpty();
        assertThat(generatedBy()).isEqualTo("1");
        assertThat(answeredBy()).isEqualTo("1");
    }
}
