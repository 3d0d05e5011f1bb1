package io.mmedstream.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Each fixture in src/test/fixtures breaks an overlay in one way: the checker must report exactly that, so that the
 * checks OverlaysTest relies on are shown to fail when they should.
 */
class ManifestCheckerTest {

    private static List<String> problems(String fixture, boolean dev) {
        return ManifestChecker.check(Project.render("src/test/fixtures/" + fixture), Project.expectations(dev));
    }

    @Test
    void aMissingConfigMapIsReported() {
        assertThat(problems("missing-configmap", true)).contains(
                "Deployment tokenize container tokenize: envFrom: ConfigMap tokenize-config is not in the render");
    }

    @Test
    void aContainerThatMayRunAsRootIsReported() {
        assertThat(problems("root-container", true)).contains(
                "Deployment filter container filter: runAsNonRoot is not true (may run as root)",
                "Deployment filter container filter: runs as user 0 (root)",
                "Deployment filter container filter: readOnlyRootFilesystem is not true",
                "Deployment filter container filter: allowPrivilegeEscalation is not false",
                "Deployment filter container filter: capabilities are not dropped (drop: [ALL])",
                "Deployment filter container filter: seccomp profile is null, not RuntimeDefault");
    }

    @Test
    void portsAndProbesThatDisagreeWithTheServiceConfigurationAreReported() {
        assertThat(problems("wrong-probe", true)).contains(
                "Deployment ingest: container port http is 8080, but quarkus.http.port = 8081",
                "Deployment ingest: readiness probe path is /health/ready, the service serves /q/health/ready",
                "Deployment ingest: liveness probe port is http, the service listens on 8081");
    }

    @Test
    void aTopicWithoutKafkaTopicIsReported() {
        assertThat(problems("missing-topic", true)).contains(
                "KafkaTopic mmed.docs.accepted.v1: missing (the services use this topic)",
                "KafkaUser mmed-filter: ACL on topic mmed.docs.accepted.v1, which has no KafkaTopic");
    }

    @Test
    void anUnknownFieldIsReported() {
        assertThat(problems("unknown-field", true))
                .anyMatch(p -> p.startsWith("Deployment eval") && p.endsWith("unknown field(s) [readinessprobe]"));
    }

    @Test
    void aMissingVolumeClaimIsReported() {
        assertThat(problems("missing-pvc", true)).contains(
                "Deployment tokenize: volume shards: PersistentVolumeClaim mmed-shards is not in the render",
                "Deployment train-coordinator: volume shards: PersistentVolumeClaim mmed-shards is not in the render");
    }

    @Test
    void anAclBeyondWhatTheServiceUsesIsReported() {
        assertThat(problems("extra-acl", true)).containsExactly(
                "KafkaUser mmed-filter: writes topics: [mmed.checkpoints.v1] granted beyond what the service uses");
    }

    @Test
    void scalingBeyondThePartitionsIsReported() {
        assertThat(problems("keda-over-partitions", false)).containsExactly(
                "ScaledObject tokenize: maxReplicaCount 20 exceeds the 12 partitions of mmed.docs.accepted.v1");
    }

    @Test
    void anAlertOnASeriesNoServiceRegistersIsReported() {
        assertThat(problems("alert-on-unknown-metric", false)).containsExactly(
                "PrometheusRule mmedstream: alert MmedRecordsLost: expr uses mmed_records_lost_total, which no deployed "
                        + "service registers");
    }

    @Test
    void anAlertWithoutSeverityIsReported() {
        assertThat(problems("alert-without-severity", false)).containsExactly(
                "PrometheusRule mmedstream: alert MmedNoShards: no labels.severity (warning or critical)");
    }

    @Test
    void aPodMonitorOnAPortNoContainerDeclaresIsReported() {
        assertThat(problems("podmonitor-wrong-port", false)).containsExactly(
                "PodMonitor triton: port prometheus: no container of Deployment triton declares it");
    }

    @Test
    void aPodMonitorOnTheWrongPathOrOnNoPodIsReportedAndEveryServiceMustBeScraped() {
        String prod = yaml(Project.render("overlays/prod"), d -> !d.resource().getKind().equals("PodMonitor"));
        String monitor = """
                ---
                apiVersion: monitoring.coreos.com/v1
                kind: PodMonitor
                metadata:
                  name: filter
                  namespace: mmedstream
                spec:
                  selector:
                    matchLabels:
                      app.kubernetes.io/name: %s
                  podMetricsEndpoints:
                    - port: http
                      path: %s
                """;

        List<String> wrongPath = ManifestChecker.check(RenderedManifests.parse(prod + monitor.formatted("filter",
                "/metrics")), Project.expectations(false));
        List<String> noPod = ManifestChecker.check(RenderedManifests.parse(prod + monitor.formatted("filtre",
                "/q/metrics")), Project.expectations(false));

        assertThat(wrongPath).contains("PodMonitor filter: scrapes Deployment filter at port http (8082) /metrics, but "
                + "it serves metrics at 8082 /q/metrics (its prometheus.io annotations)",
                "Deployment filter: no PodMonitor scrapes its metrics", "Deployment ingest: no PodMonitor scrapes its "
                        + "metrics");
        assertThat(noPod).contains("PodMonitor filter: its selector {\"matchLabels\":{\"app.kubernetes.io/name\":"
                + "\"filtre\"}} matches no pod template");
    }

    @Test
    void aLagAlertWithoutTheKafkaExporterIsReported() {
        RenderedManifests prod = Project.render("overlays/prod");
        prod.documents().stream().filter(d -> d.resource().getKind().equals("Kafka"))
                .forEach(d -> ((ObjectNode) d.raw().path("spec")).remove("kafkaExporter"));

        assertThat(ManifestChecker.check(RenderedManifests.parse(yaml(prod, d -> true)), Project.expectations(false)))
                .containsExactly("PodMonitor mmed-kafka-exporter: its selector {\"matchLabels\":{\"strimzi.io/name\":"
                        + "\"mmed-kafka-kafka-exporter\"}} matches no pod template",
                        "PrometheusRule mmedstream: alert MmedConsumerLagHigh: expr uses kafka_consumergroup_lag, but "
                                + "no Kafka of the render runs the Kafka Exporter (spec.kafkaExporter)");
    }

    /** The documents of a render that pass a filter, as YAML (JSON documents) to parse again. */
    private static String yaml(RenderedManifests render, Predicate<RenderedManifests.Document> keep) {
        return render.documents().stream().filter(keep).map(d -> d.raw().toString())
                .collect(Collectors.joining("\n---\n", "", "\n"));
    }

    @Test
    void aMisspeltBuiltInKindIsReported() {
        RenderedManifests render = RenderedManifests.parse("""
                apiVersion: apps/v1
                kind: Deploymnet
                metadata:
                  name: x
                """);

        assertThat(ManifestChecker.check(render, Project.expectations(false)))
                .contains("Deploymnet x (apps/v1): not a kind of the Kubernetes API (fabric8 has no model for it)");
    }

    @Test
    void aBrokenKustomizationFailsTheRenderWithKustomizesMessage() {
        Path empty = Path.of("target");

        assertThatThrownBy(() -> Project.kustomize().build(empty)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed with exit code");
    }
}
