package io.mmedstream.deploy.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import io.mmedstream.kafka.TopicLayout;
import io.mmedstream.proto.Topics;

/**
 * The project as the manifests must reflect it: where things are, the services with the topics, groups and
 * transactional ids they use (docs/architecture.md and each service's README and configuration), the topic layout
 * of {@link TopicLayout}, the Secrets an operator creates (docs/deploy.md), and the metrics the services register
 * (their main sources, {@link MeterNames}).
 */
final class Project {

    /** Secrets created by hand before `kubectl apply` (docs/deploy.md "Secrets"). */
    static final Set<String> EXTERNAL_SECRETS = Set.of("inference-tokens", "inference-tls");

    static final Path ROOT = Path.of(System.getProperty("mmed.project.root", "../..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");

    private static Kustomize kustomize;

    private Project() {
    }

    static synchronized Kustomize kustomize() {
        if (kustomize == null) {
            kustomize = Kustomize.locate(Optional.ofNullable(System.getProperty("mmed.kustomize.path-file"))
                    .map(Path::of));
        }
        return kustomize;
    }

    /** Renders a kustomization, relative to deploy/k8s. */
    static RenderedManifests render(String dir) {
        Path path = K8S.resolve(dir);
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("no kustomization at " + path);
        }
        return RenderedManifests.parse(kustomize().build(path));
    }

    static ServiceConfig config(String module) {
        return ServiceConfig.load(ROOT.resolve("services").resolve(module), Map.of());
    }

    /** Every Quarkus service the overlays deploy, with its Kafka rights. */
    static Map<String, Expectations.QuarkusService> services() {
        Map<String, Expectations.QuarkusService> s = new LinkedHashMap<>();
        add(s, new Expectations.QuarkusService("ingest", config("ingest"), "mmed-ingest",
                Set.of(Topics.DOCS_SUBMITTED), Set.of(Topics.DOCS_INGESTED, Topics.DOCS_REJECTED),
                Set.of("mmed-ingest"), Set.of(), Set.of(), Set.of("mmed-ingest-")));
        add(s, new Expectations.QuarkusService("filter", config("filter"), "mmed-filter",
                Set.of(Topics.DOCS_INGESTED, Topics.FILTER_DEDUP_EXACT, Topics.FILTER_DEDUP_MINHASH),
                Set.of(Topics.DOCS_ACCEPTED, Topics.DOCS_DROPPED, Topics.DOCS_FILTER_DLQ, Topics.FILTER_DEDUP_EXACT,
                        Topics.FILTER_DEDUP_MINHASH),
                Set.of("mmed-filter"), Set.of(), Set.of(), Set.of("filter-")));
        // tokenize, train-coordinator and eval drive plain Kafka clients: their groups and transactional ids are
        // the defaults of their @ConfigMapping (TokenizeConfig, CoordinatorConfig, EvalConfig).
        add(s, new Expectations.QuarkusService("tokenize", config("tokenize"), "mmed-tokenize",
                Set.of(Topics.DOCS_ACCEPTED), Set.of(Topics.SHARDS_READY),
                Set.of("mmed-tokenize"), Set.of(), Set.of(), Set.of("tokenize-")));
        add(s, new Expectations.QuarkusService("train-coordinator", config("train-coordinator"),
                "mmed-train-coordinator", Set.of(Topics.SHARDS_READY, Topics.TRAIN_ROUNDS, Topics.TRAIN_LEADER),
                Set.of(Topics.TRAIN_ROUNDS, Topics.CHECKPOINTS),
                Set.of("mmed-train-coordinator", "mmed-train-coordinator-leader"), Set.of(),
                Set.of("mmed-train-coordinator"), Set.of()));
        add(s, new Expectations.QuarkusService("eval", config("eval"), "mmed-eval",
                Set.of(Topics.CHECKPOINTS, Topics.EVAL_RESULTS, Topics.MODELS_PROMOTED),
                Set.of(Topics.EVAL_RESULTS, Topics.MODELS_PROMOTED), Set.of("mmed-eval"), Set.of(), Set.of(),
                Set.of("eval-")));
        // inference follows promotions with an assigned consumer and no group (PromotionFollower).
        add(s, new Expectations.QuarkusService("inference", config("inference"), "mmed-inference",
                Set.of(Topics.MODELS_PROMOTED), Set.of(), Set.of(), Set.of(), Set.of(), Set.of()));
        return s;
    }

    /** The model-server of the dev overlay (no Kafka). */
    static Expectations.QuarkusService modelServer() {
        return new Expectations.QuarkusService("model-server", config("model-server"), null, Set.of(), Set.of(),
                Set.of(), Set.of(), Set.of(), Set.of());
    }

    private static void add(Map<String, Expectations.QuarkusService> map, Expectations.QuarkusService s) {
        map.put(s.deployment(), s);
    }

    /** The configs every topic must have: those TopicLayout creates, cleanup.policy delete where it sets none. */
    static Map<String, Map<String, String>> topics() {
        Map<String, Map<String, String>> topics = new LinkedHashMap<>();
        List<NewTopic> layout = TopicLayout.topics(TopicLayout.DEFAULT_PARTITIONS, (short) 1);
        for (NewTopic t : layout) {
            Map<String, String> configs = new HashMap<>(t.configs());
            configs.putIfAbsent(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            topics.put(t.name(), configs);
        }
        return topics;
    }

    /** Topics whose partition count the contract fixes, whatever the overlay (the coordinator's election topic). */
    static Map<String, Integer> fixedPartitions() {
        Map<String, Integer> fixed = new LinkedHashMap<>();
        for (NewTopic t : TopicLayout.topics(TopicLayout.DEFAULT_PARTITIONS + 1, (short) 1)) {
            if (t.numPartitions() != TopicLayout.DEFAULT_PARTITIONS + 1) {
                fixed.put(t.name(), t.numPartitions());
            }
        }
        return fixed;
    }

    /** The Prometheus series these services register, from each module's main sources. */
    static Set<String> metrics(Collection<Expectations.QuarkusService> services) {
        Set<String> series = new TreeSet<>();
        for (Expectations.QuarkusService s : services) {
            series.addAll(MeterNames.series(ROOT.resolve("services").resolve(s.config().module())));
        }
        return series;
    }

    static Expectations expectations(boolean withModelServer) {
        Map<String, Expectations.QuarkusService> services = services();
        if (withModelServer) {
            services.put("model-server", modelServer());
        }
        return new Expectations(services, topics(), fixedPartitions(),
                List.of(Set.of(Topics.DOCS_INGESTED, Topics.FILTER_DEDUP_EXACT, Topics.FILTER_DEDUP_MINHASH)),
                EXTERNAL_SECRETS, metrics(services.values()));
    }
}
