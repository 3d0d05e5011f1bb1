package io.mmedstream.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

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
