package io.mmedstream.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.mmedstream.proto.Topics;

/** Renders every overlay with kustomize and checks it (ManifestChecker), plus what is particular to each overlay. */
class OverlaysTest {

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod", "src/test/fixtures/prod-with-kueue"})
    void everyOverlayPassesEveryCheck(String overlay) {
        RenderedManifests render = Project.render(overlay);
        boolean dev = overlay.endsWith("dev");

        List<String> problems = ManifestChecker.check(render, Project.expectations(dev));

        assertThat(problems).as("problems of %s", overlay).isEmpty();
        assertThat(render.documents()).hasSizeGreaterThan(50);
        assertThat(render.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .contains("ingest", "filter", "tokenize", "train-coordinator", "eval", "inference",
                        dev ? "model-server" : "triton");
        assertThat(render.documents().stream().filter(d -> !d.resource().getKind().equals("Namespace")
                && !"mmedstream".equals(d.resource().getMetadata().getNamespace()))
                .map(RenderedManifests.Document::describe)).as("objects outside the namespace mmedstream").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void everyTopicOfTheContractHasAKafkaTopic(String overlay) {
        RenderedManifests render = Project.render(overlay);

        Set<String> declared = render.generic("KafkaTopic").stream().map(t -> t.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(declared).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        for (String module : List.of("ingest", "filter", "tokenize", "train-coordinator", "eval", "inference")) {
            assertThat(declared).as(module).containsAll(Project.config(module).channelTopics());
        }
    }

    @Test
    void prodServesWithTritonOnAGpuUnderExplicitModelControl() {
        RenderedManifests render = Project.render("overlays/prod");

        Container triton = render.find(Deployment.class, "triton").orElseThrow().getSpec().getTemplate().getSpec()
                .getContainers().get(0);

        assertThat(triton.getArgs()).contains("--model-control-mode=explicit", "--model-repository=/models");
        assertThat(triton.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
        assertThat(triton.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
        assertThat(triton.getResources().getLimits()).containsKey("nvidia.com/gpu");
        assertThat(triton.getVolumeMounts()).extracting(m -> m.getMountPath() + ":" + m.getReadOnly())
                .contains("/models:true", "/checkpoints:true");
        assertThat(render.generic("ScaledObject")).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("filter", "tokenize");
        assertThat(render.find(HorizontalPodAutoscaler.class, "inference")).isPresent();
        assertThat(render.all(PersistentVolumeClaim.class)).allSatisfy(
                c -> assertThat(c.getSpec().getAccessModes()).containsExactly("ReadWriteMany"));
    }

    @Test
    void prodTurnsOnTlsForTheInferenceApiAndEveryServiceUsesKafkaOverTls() {
        RenderedManifests render = Project.render("overlays/prod");

        Container inference = render.find(Deployment.class, "inference").orElseThrow().getSpec().getTemplate()
                .getSpec().getContainers().get(0);

        assertThat(inference.getEnv()).extracting(EnvVar::getName)
                .contains("QUARKUS_GRPC_SERVER_SSL_CERTIFICATE", "QUARKUS_GRPC_SERVER_SSL_KEY", "MMED_INFERENCE_TOKENS");
        Map<String, String> kafka = render.find(ConfigMap.class, "mmed-kafka-client").orElseThrow().getData();
        assertThat(kafka).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        JsonNode listener = raw(render, "Kafka", "mmed-kafka").path("spec").path("kafka").path("listeners").get(0);
        assertThat(listener.path("port").asInt()).isEqualTo(9093);
        assertThat(listener.path("tls").asBoolean()).isTrue();
        assertThat(listener.path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        assertThat(kafka.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("mmed-kafka-kafka-bootstrap:9093");
    }

    @Test
    void prodIsScrapedAndAlertedOnThroughThePrometheusOperator() {
        RenderedManifests render = Project.render("overlays/prod");

        List<String> alerts = new ArrayList<>();
        render.generic("PrometheusRule").forEach(r -> raw(render, "PrometheusRule", r.getMetadata().getName())
                .path("spec").path("groups").forEach(g -> g.path("rules").forEach(rule -> alerts.add(rule.path("alert")
                        .asText()))));

        assertThat(render.generic("PodMonitor")).extracting(m -> m.getMetadata().getName())
                .containsExactlyInAnyOrder("mmedstream-services", "triton", "mmed-kafka-exporter");
        assertThat(render.generic("PrometheusRule")).extracting(r -> r.getMetadata().getName())
                .containsExactly("mmedstream");
        assertThat(alerts).contains("MmedServiceDown", "MmedTritonDown", "MmedRecordsDeadLettered", "MmedEvalGaveUp",
                "MmedEvalFailing", "MmedTrainingRoundFailed", "MmedTrainingDispatchStalled", "MmedInferenceErrors", "MmedConsumerLagHigh");
        JsonNode services = raw(render, "PodMonitor", "mmedstream-services").path("spec");
        assertThat(services.path("podMetricsEndpoints").get(0).path("port").asText()).isEqualTo("http");
        assertThat(services.path("podMetricsEndpoints").get(0).path("path").asText()).isEqualTo("/q/metrics");
        assertThat(raw(render, "Kafka", "mmed-kafka").path("spec").path("kafkaExporter").path("groupRegex").asText())
                .isEqualTo("mmed-.*");
    }

    @Test
    void devHasNoPrometheusOperatorObjects() {
        RenderedManifests render = Project.render("overlays/dev");

        assertThat(render.generic("PodMonitor")).isEmpty();
        assertThat(render.generic("PrometheusRule")).isEmpty();
        assertThat(raw(render, "Kafka", "mmed-kafka").path("spec").has("kafkaExporter")).isFalse();
    }

    @Test
    void devRunsWithoutGpusOnTheModelServer() {
        RenderedManifests render = Project.render("overlays/dev");

        assertThat(render.find(Deployment.class, "triton")).isEmpty();
        assertThat(render.all(Deployment.class)).allSatisfy(d -> assertThat(d.getSpec().getTemplate().getSpec()
                .getContainers().get(0).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu"));
        assertThat(render.find(ConfigMap.class, "train-coordinator-config").orElseThrow().getData())
                .containsEntry("MMED_COORDINATOR_KUBERNETES_GPUS_PER_NODE", "0");
        JsonNode pool = raw(render, "KafkaNodePool", "dual");
        assertThat(pool.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(render.generic("KafkaTopic")).allSatisfy(t -> assertThat(
                raw(render, "KafkaTopic", t.getMetadata().getName()).path("spec").path("replicas").asInt()).isEqualTo(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void theCoordinatorMayManageTrainerJobsInItsNamespaceOnly(String overlay) {
        RenderedManifests render = Project.render(overlay);

        Map<String, String> config = render.find(ConfigMap.class, "train-coordinator-config").orElseThrow().getData();
        Role role = render.find(Role.class, "train-coordinator").orElseThrow();
        RoleBinding binding = render.find(RoleBinding.class, "train-coordinator").orElseThrow();

        assertThat(config).containsEntry("MMED_COORDINATOR_DISPATCHER", "kubernetes");
        assertThat(render.find(PersistentVolumeClaim.class, config.get("MMED_COORDINATOR_KUBERNETES_SHARDS_CLAIM")))
                .isPresent();
        assertThat(render.find(PersistentVolumeClaim.class,
                config.get("MMED_COORDINATOR_KUBERNETES_CHECKPOINTS_CLAIM"))).isPresent();
        assertThat(render.find(ServiceAccount.class, config.get("MMED_COORDINATOR_KUBERNETES_SERVICE_ACCOUNT")))
                .hasValueSatisfying(sa -> assertThat(sa.getAutomountServiceAccountToken()).isFalse());
        assertThat(rules(role)).containsExactlyInAnyOrder(
                "batch/jobs: create,delete,get,list,watch",
                "/pods: get,list,watch",
                "/pods/log: get",
                "/configmaps: create,delete,get",
                "/services: create,delete,get",
                "trainer.kubeflow.org/trainjobs: create,delete,get,list,watch");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("train-coordinator");
            assertThat(s.getNamespace()).isEqualTo("mmedstream");
        });
        // The shard URIs tokenize announces (file:///shards/...) must be what the coordinator maps into the pods.
        Map<String, String> tokenize = render.find(ConfigMap.class, "tokenize-config").orElseThrow().getData();
        assertThat("file://" + tokenize.get("MMED_TOKENIZE_STORAGE_DIR"))
                .isEqualTo(config.get("MMED_COORDINATOR_KUBERNETES_SHARDS_URI_PREFIX"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void serviceImagesAreTheOnesTheImagesProfileBuilds(String overlay) throws IOException {
        RenderedManifests render = Project.render(overlay);
        Pattern artifactId = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>");

        for (Deployment d : render.all(Deployment.class)) {
            Path pom = Project.ROOT.resolve("services").resolve(d.getMetadata().getName()).resolve("pom.xml");
            if (!Files.exists(pom)) {
                continue; // Triton
            }
            Matcher m = artifactId.matcher(Files.readString(pom));
            assertThat(m.find()).as(pom.toString()).isTrue();
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .as(d.getMetadata().getName()).startsWith("mmedstream/" + m.group(1) + ":");
        }
    }

    @Test
    void theTritonTemplateIsAVllmModel() throws IOException {
        Path model = Project.ROOT.resolve("deploy/triton/model-repository/mmed-llm");

        String config = Files.readString(model.resolve("config.pbtxt"));
        JsonNode engine = new ObjectMapper().readTree(model.resolve("1/model.json").toFile());

        assertThat(config).contains("backend: \"vllm\"", "max_batch_size: 0", "decoupled: true");
        assertThat(engine.path("model").asText()).startsWith("/checkpoints/");
    }

    private static JsonNode raw(RenderedManifests render, String kind, String name) {
        return render.documents().stream().filter(d -> d.resource().getKind().equals(kind)
                && d.resource().getMetadata().getName().equals(name)).findFirst().orElseThrow().raw();
    }

    private static List<String> rules(Role role) {
        return role.getRules().stream().flatMap(r -> r.getResources().stream()
                .map(res -> String.join(",", r.getApiGroups()) + "/" + res + ": "
                        + String.join(",", new TreeSet<>(r.getVerbs())))).toList();
    }
}
