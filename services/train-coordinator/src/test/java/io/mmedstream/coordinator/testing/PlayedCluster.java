package io.mmedstream.coordinator.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * What a Kubernetes test plays of the cluster on the fabric8 mock server: there is no kubelet, so the test makes the
 * Job's pod, its log and the Job's final condition itself.
 */
public final class PlayedCluster {

    private final KubernetesServer server;
    private final String namespace;
    private final Duration timeout;

    public PlayedCluster(KubernetesServer server, String namespace, Duration timeout) {
        this.server = server;
        this.namespace = namespace;
        this.timeout = timeout;
    }

    public KubernetesClient client() {
        return server.getClient();
    }

    /** The Job, once the coordinator has created it. */
    public Job awaitJob(String name) {
        return await().atMost(timeout).until(() -> client().batch().v1().jobs().inNamespace(namespace).withName(name)
                .get(), j -> j != null);
    }

    /** Creates the Job's pod, running (or terminated with {@code exitCode}), whose log holds {@code lines}. */
    public void runPod(String job, List<String> lines, Integer exitCode) {
        String name = job + "-x7k2p";
        Pod pod = client().pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).addToLabels("job-name", job).endMetadata().withNewSpec().addNewContainer()
                .withName("trainer").withImage("mmedstream/trainer:test").endContainer().endSpec().build()).create();
        var status = new PodStatusBuilder().withPhase(exitCode == null ? "Running" : "Failed")
                .addNewCondition().withType("Ready").withStatus(exitCode == null ? "True" : "False").endCondition();
        if (exitCode != null) {
            status.addNewContainerStatus().withName("trainer").withNewState().withNewTerminated()
                    .withExitCode(exitCode).endTerminated().endState().endContainerStatus();
        }
        client().pods().inNamespace(namespace).resource(new PodBuilder(pod).withStatus(status.build()).build())
                .updateStatus();
        server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + name
                + "/log?pretty=false&tailLines=200").andReturn(200, String.join("\n", lines) + "\n").always();
    }

    /** Gives the Job its final condition ({@code Complete} or {@code Failed}, with a reason). */
    public void finishJob(String name, String condition, String reason) {
        Job job = client().batch().v1().jobs().inNamespace(namespace).withName(name).get();
        Job finished = new JobBuilder(job).withNewStatus().addNewCondition().withType(condition).withStatus("True")
                .withReason(reason).endCondition().endStatus().build();
        client().batch().v1().jobs().inNamespace(namespace).resource(finished).updateStatus();
    }
}
