package io.mmedstream.deploy.k8s;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;

/**
 * Checks a rendered kustomization. Every problem is reported as one line naming the object; an empty list means the
 * render passed. The checks:
 * <ul>
 * <li><b>model</b>: every document of a built-in API group parses into fabric8's typed model, with no field the
 * model does not know (a typo such as {@code readinessprobe} would otherwise be silently dropped by the API
 * server);</li>
 * <li><b>references</b>: every ConfigMap, Secret, PersistentVolumeClaim and ServiceAccount a pod template names
 * exists in the render (Secrets may also come from Strimzi or the operator's list), RoleBindings name existing Roles
 * and ServiceAccounts, Services, PodDisruptionBudgets, HPAs and ScaledObjects reach a workload;</li>
 * <li><b>security</b>: every container runs as non-root with a read-only root filesystem (and a writable /tmp), no
 * privilege escalation, all capabilities dropped, seccomp RuntimeDefault, resources, liveness and readiness probes
 * on declared ports; no ClusterRole(Binding); a default-deny NetworkPolicy;</li>
 * <li><b>services</b>: each Quarkus service's container ports, probe paths and metrics annotations match its
 * application.properties in that container's environment, and it connects to Kafka as its own KafkaUser;</li>
 * <li><b>kafka</b>: a KafkaTopic for every topic with the expected configs and none unexpected, equal partitions
 * where required, ACLs that give each service exactly its topics, groups and transactional ids, and topics a
 * service's configuration names among them; KEDA scalers within the partition count of their topic;</li>
 * <li><b>monitoring</b> (Prometheus Operator): each PodMonitor selects pod templates of the render (or the Kafka
 * Exporter Strimzi runs for a Kafka with {@code spec.kafkaExporter}) and names a port their containers declare, at
 * the port and path of their {@code prometheus.io} annotations; every service is scraped once there are PodMonitors;
 * every PrometheusRule alert has an expr, a {@code for}, a severity (warning or critical), a summary and a
 * description, and its expressions use only {@code mmed_*} series that the services register
 * ({@link Expectations#metrics()}) and Kafka Exporter series only where it runs.</li>
 * </ul>
 */
public final class ManifestChecker {

    /** API groups whose kinds fabric8's model knows; a generic resource in one of them is an unknown kind. */
    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "policy", "autoscaling",
            "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io");
    private static final String SECRET_VALUE = "<secret>";

    private final RenderedManifests render;
    private final Expectations expect;
    private final List<String> problems = new ArrayList<>();

    private ManifestChecker(RenderedManifests render, Expectations expect) {
        this.render = render;
        this.expect = expect;
    }

    /** Runs every check; the problems found, in a stable order. */
    public static List<String> check(RenderedManifests render, Expectations expect) {
        ManifestChecker checker = new ManifestChecker(render, expect);
        checker.model();
        checker.references();
        checker.security();
        checker.services();
        checker.kafka();
        checker.keda();
        checker.monitoring();
        return List.copyOf(checker.problems);
    }

    private void problem(String format, Object... args) {
        problems.add(String.format(format, args));
    }

    // ---- model -------------------------------------------------------------------------------------------------------

    private void model() {
        for (RenderedManifests.Document doc : render.documents()) {
            HasMetadata r = doc.resource();
            String apiVersion = r.getApiVersion();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            if (r instanceof GenericKubernetesResource) {
                if (BUILT_IN_GROUPS.contains(group)) {
                    problem("%s (%s): not a kind of the Kubernetes API (fabric8 has no model for it)", doc.describe(),
                            apiVersion);
                }
                continue;
            }
            unknownFields(r, doc.describe(), new LinkedHashSet<>());
        }
    }

    /** Reports every field that fabric8's model kept as an "additional property", i.e. one it does not know. */
    private void unknownFields(Object node, String where, Set<String> reported) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                unknownFields(o, where + "[" + i++ + "]", reported);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), where + "." + e.getKey(), reported);
            }
            return;
        }
        Class<?> type = node.getClass();
        if (!type.getName().startsWith("io.fabric8.kubernetes.api.model") || node instanceof IntOrString) {
            return;
        }
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    String message = where + ": unknown field(s) " + new TreeSet<>(
                            extra.keySet().stream().map(String::valueOf).toList());
                    if (reported.add(message)) {
                        problem("%s", message);
                    }
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            unknownFields(value, where + "." + field, reported);
        }
    }

    // ---- references --------------------------------------------------------------------------------------------------

    /** A workload's pod template. */
    private record Workload(String describe, HasMetadata owner, PodTemplateSpec template) {
    }

    private List<Workload> workloads() {
        List<Workload> all = new ArrayList<>();
        render.all(Deployment.class).forEach(d -> all.add(new Workload("Deployment " + d.getMetadata().getName(), d,
                d.getSpec().getTemplate())));
        render.all(StatefulSet.class).forEach(d -> all.add(new Workload("StatefulSet " + d.getMetadata().getName(), d,
                d.getSpec().getTemplate())));
        render.all(DaemonSet.class).forEach(d -> all.add(new Workload("DaemonSet " + d.getMetadata().getName(), d,
                d.getSpec().getTemplate())));
        render.all(Job.class).forEach(d -> all.add(new Workload("Job " + d.getMetadata().getName(), d,
                d.getSpec().getTemplate())));
        return all;
    }

    private Set<String> names(Class<? extends HasMetadata> type) {
        return render.all(type).stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** Secrets that exist once the operators have run: in the render, Strimzi's, or the operator's own. */
    private Set<String> knownSecrets() {
        Set<String> secrets = new HashSet<>(names(Secret.class));
        render.ofKind("KafkaUser").forEach(u -> secrets.add(u.getMetadata().getName()));
        render.ofKind("Kafka").forEach(k -> {
            secrets.add(k.getMetadata().getName() + "-cluster-ca-cert");
            secrets.add(k.getMetadata().getName() + "-clients-ca-cert");
        });
        secrets.addAll(expect.externalSecrets());
        return secrets;
    }

    private void references() {
        Set<String> configMaps = names(ConfigMap.class);
        Set<String> secrets = knownSecrets();
        Set<String> claims = names(PersistentVolumeClaim.class);
        Set<String> accounts = names(ServiceAccount.class);
        for (Workload w : workloads()) {
            PodSpec pod = w.template().getSpec();
            String sa = pod.getServiceAccountName();
            if (sa != null && !sa.equals("default") && !accounts.contains(sa)) {
                problem("%s: ServiceAccount %s is not in the render", w.describe(), sa);
            }
            for (Volume v : list(pod.getVolumes())) {
                if (v.getConfigMap() != null && !Boolean.TRUE.equals(v.getConfigMap().getOptional())
                        && !configMaps.contains(v.getConfigMap().getName())) {
                    problem("%s: volume %s: ConfigMap %s is not in the render", w.describe(), v.getName(),
                            v.getConfigMap().getName());
                }
                if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())
                        && !secrets.contains(v.getSecret().getSecretName())) {
                    problem("%s: volume %s: Secret %s is neither in the render nor created by an operator",
                            w.describe(), v.getName(), v.getSecret().getSecretName());
                }
                if (v.getPersistentVolumeClaim() != null && !claims.contains(v.getPersistentVolumeClaim().getClaimName())) {
                    problem("%s: volume %s: PersistentVolumeClaim %s is not in the render", w.describe(), v.getName(),
                            v.getPersistentVolumeClaim().getClaimName());
                }
                if (v.getProjected() != null) {
                    for (VolumeProjection p : list(v.getProjected().getSources())) {
                        if (p.getConfigMap() != null && !configMaps.contains(p.getConfigMap().getName())) {
                            problem("%s: volume %s: ConfigMap %s is not in the render", w.describe(), v.getName(),
                                    p.getConfigMap().getName());
                        }
                        if (p.getSecret() != null && !secrets.contains(p.getSecret().getName())) {
                            problem("%s: volume %s: Secret %s is neither in the render nor created by an operator",
                                    w.describe(), v.getName(), p.getSecret().getName());
                        }
                    }
                }
            }
            Set<String> volumeNames = list(pod.getVolumes()).stream().map(Volume::getName).collect(Collectors.toSet());
            for (Container c : containers(pod)) {
                String where = w.describe() + " container " + c.getName();
                for (EnvFromSource from : list(c.getEnvFrom())) {
                    if (from.getConfigMapRef() != null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())
                            && !configMaps.contains(from.getConfigMapRef().getName())) {
                        problem("%s: envFrom: ConfigMap %s is not in the render", where, from.getConfigMapRef().getName());
                    }
                    if (from.getSecretRef() != null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())
                            && !secrets.contains(from.getSecretRef().getName())) {
                        problem("%s: envFrom: Secret %s is neither in the render nor created by an operator", where,
                                from.getSecretRef().getName());
                    }
                }
                for (EnvVar e : list(c.getEnv())) {
                    if (e.getValueFrom() == null) {
                        continue;
                    }
                    var cm = e.getValueFrom().getConfigMapKeyRef();
                    if (cm != null && !Boolean.TRUE.equals(cm.getOptional()) && !configMaps.contains(cm.getName())) {
                        problem("%s: env %s: ConfigMap %s is not in the render", where, e.getName(), cm.getName());
                    }
                    var s = e.getValueFrom().getSecretKeyRef();
                    if (s != null && !Boolean.TRUE.equals(s.getOptional()) && !secrets.contains(s.getName())) {
                        problem("%s: env %s: Secret %s is neither in the render nor created by an operator", where,
                                e.getName(), s.getName());
                    }
                }
                for (VolumeMount m : list(c.getVolumeMounts())) {
                    if (!volumeNames.contains(m.getName())) {
                        problem("%s: mounts volume %s, which the pod does not declare", where, m.getName());
                    }
                }
            }
        }
        Set<String> roles = names(Role.class);
        for (RoleBinding b : render.all(RoleBinding.class)) {
            if ("Role".equals(b.getRoleRef().getKind()) && !roles.contains(b.getRoleRef().getName())) {
                problem("RoleBinding %s: Role %s is not in the render", b.getMetadata().getName(),
                        b.getRoleRef().getName());
            }
            for (Subject s : list(b.getSubjects())) {
                if ("ServiceAccount".equals(s.getKind()) && !accounts.contains(s.getName())) {
                    problem("RoleBinding %s: ServiceAccount %s is not in the render", b.getMetadata().getName(),
                            s.getName());
                }
            }
        }
        for (Service s : render.all(Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            List<Workload> selected = workloads().stream()
                    .filter(w -> selector != null && !selector.isEmpty() && matches(selector, w.template())).toList();
            if (selected.isEmpty()) {
                problem("Service %s: its selector %s matches no workload", s.getMetadata().getName(), selector);
                continue;
            }
            for (ServicePort p : list(s.getSpec().getPorts())) {
                IntOrString target = p.getTargetPort() == null ? new IntOrString(p.getPort()) : p.getTargetPort();
                for (Workload w : selected) {
                    if (!declaresPort(w.template().getSpec(), target)) {
                        problem("Service %s: port %s targets %s, which %s does not declare", s.getMetadata().getName(),
                                p.getName(), portText(target), w.describe());
                    }
                }
            }
        }
        for (PodDisruptionBudget b : render.all(PodDisruptionBudget.class)) {
            Map<String, String> selector = b.getSpec().getSelector() == null ? null
                    : b.getSpec().getSelector().getMatchLabels();
            if (selector == null || workloads().stream().noneMatch(w -> matches(selector, w.template()))) {
                problem("PodDisruptionBudget %s: its selector matches no workload", b.getMetadata().getName());
            }
        }
        Set<String> deployments = names(Deployment.class);
        for (HorizontalPodAutoscaler h : render.all(HorizontalPodAutoscaler.class)) {
            if (!deployments.contains(h.getSpec().getScaleTargetRef().getName())) {
                problem("HorizontalPodAutoscaler %s: Deployment %s is not in the render", h.getMetadata().getName(),
                        h.getSpec().getScaleTargetRef().getName());
            }
        }
        for (GenericKubernetesResource so : render.generic("ScaledObject")) {
            String target = text(so, "spec", "scaleTargetRef", "name");
            if (!deployments.contains(target)) {
                problem("ScaledObject %s: Deployment %s is not in the render", so.getMetadata().getName(), target);
            }
            for (JsonNode trigger : node(so).path("spec").path("triggers")) {
                String auth = trigger.path("authenticationRef").path("name").asText(null);
                if (auth != null && render.find("TriggerAuthentication", auth).isEmpty()) {
                    problem("ScaledObject %s: TriggerAuthentication %s is not in the render", so.getMetadata().getName(),
                            auth);
                }
            }
        }
        for (GenericKubernetesResource ta : render.generic("TriggerAuthentication")) {
            for (JsonNode ref : node(ta).path("spec").path("secretTargetRef")) {
                if (!secrets.contains(ref.path("name").asText())) {
                    problem("TriggerAuthentication %s: Secret %s is neither in the render nor created by an operator",
                            ta.getMetadata().getName(), ref.path("name").asText());
                }
            }
        }
    }

    // ---- security ----------------------------------------------------------------------------------------------------

    private void security() {
        for (Workload w : workloads()) {
            PodSpec pod = w.template().getSpec();
            PodSecurityContext podContext = Optional.ofNullable(pod.getSecurityContext()).orElse(new PodSecurityContext());
            if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC())) {
                problem("%s: uses the host's network, PID or IPC namespace", w.describe());
            }
            Map<String, Volume> volumes = list(pod.getVolumes()).stream()
                    .collect(Collectors.toMap(Volume::getName, v -> v, (a, b) -> a));
            for (Container c : containers(pod)) {
                String where = w.describe() + " container " + c.getName();
                SecurityContext sc = Optional.ofNullable(c.getSecurityContext()).orElse(new SecurityContext());
                Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podContext.getRunAsNonRoot();
                Long user = sc.getRunAsUser() != null ? sc.getRunAsUser() : podContext.getRunAsUser();
                if (!Boolean.TRUE.equals(nonRoot)) {
                    problem("%s: runAsNonRoot is not true (may run as root)", where);
                }
                if (user != null && user == 0L) {
                    problem("%s: runs as user 0 (root)", where);
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    problem("%s: allowPrivilegeEscalation is not false", where);
                }
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    problem("%s: is privileged", where);
                }
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    problem("%s: readOnlyRootFilesystem is not true", where);
                } else if (list(c.getVolumeMounts()).stream().noneMatch(m -> "/tmp".equals(m.getMountPath())
                        && !Boolean.TRUE.equals(m.getReadOnly()) && volumes.containsKey(m.getName())
                        && volumes.get(m.getName()).getEmptyDir() != null)) {
                    problem("%s: read-only root filesystem without a writable emptyDir at /tmp", where);
                }
                List<String> drop = sc.getCapabilities() == null ? List.of() : list(sc.getCapabilities().getDrop());
                List<String> add = sc.getCapabilities() == null ? List.of() : list(sc.getCapabilities().getAdd());
                if (!drop.contains("ALL")) {
                    problem("%s: capabilities are not dropped (drop: [ALL])", where);
                }
                if (!add.isEmpty()) {
                    problem("%s: adds capabilities %s", where, add);
                }
                String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                        : podContext.getSeccompProfile() != null ? podContext.getSeccompProfile().getType() : null;
                if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                    problem("%s: seccomp profile is %s, not RuntimeDefault", where, seccomp);
                }
                if (c.getResources() == null || c.getResources().getRequests() == null
                        || c.getResources().getRequests().get("memory") == null
                        || c.getResources().getRequests().get("cpu") == null) {
                    problem("%s: no CPU and memory requests", where);
                }
                if (c.getResources() == null || c.getResources().getLimits() == null
                        || c.getResources().getLimits().get("memory") == null) {
                    problem("%s: no memory limit", where);
                }
                if (pod.getInitContainers() != null && pod.getInitContainers().contains(c)) {
                    continue;
                }
                if (c.getLivenessProbe() == null) {
                    problem("%s: no liveness probe", where);
                }
                if (c.getReadinessProbe() == null) {
                    problem("%s: no readiness probe", where);
                }
                for (Probe p : probes(c)) {
                    if (p.getHttpGet() != null && !declaresPort(c, p.getHttpGet().getPort())) {
                        problem("%s: a probe uses port %s, which the container does not declare", where,
                                portText(p.getHttpGet().getPort()));
                    }
                }
            }
        }
        render.all(ClusterRole.class).forEach(r -> problem("ClusterRole %s: cluster-wide rights; use a Role in the "
                + "namespace", r.getMetadata().getName()));
        render.all(ClusterRoleBinding.class).forEach(r -> problem("ClusterRoleBinding %s: cluster-wide rights; use a "
                + "RoleBinding in the namespace", r.getMetadata().getName()));
        boolean defaultDeny = render.all(NetworkPolicy.class).stream().anyMatch(p ->
                (p.getSpec().getPodSelector() == null || (list(p.getSpec().getPodSelector().getMatchExpressions()).isEmpty()
                        && (p.getSpec().getPodSelector().getMatchLabels() == null
                                || p.getSpec().getPodSelector().getMatchLabels().isEmpty())))
                        && list(p.getSpec().getPolicyTypes()).containsAll(List.of("Ingress", "Egress"))
                        && list(p.getSpec().getIngress()).isEmpty() && list(p.getSpec().getEgress()).isEmpty());
        if (!defaultDeny) {
            problem("NetworkPolicy: none denies all ingress and egress of every pod (podSelector {}, both types)");
        }
    }

    // ---- services ----------------------------------------------------------------------------------------------------

    private void services() {
        for (Expectations.QuarkusService svc : expect.services().values()) {
            Optional<Deployment> found = render.find(Deployment.class, svc.deployment());
            if (found.isEmpty()) {
                problem("Deployment %s: missing (service %s)", svc.deployment(), svc.config().module());
                continue;
            }
            Deployment d = found.get();
            String where = "Deployment " + svc.deployment();
            Optional<Container> container = list(d.getSpec().getTemplate().getSpec().getContainers()).stream()
                    .filter(c -> svc.deployment().equals(c.getName())).findFirst();
            if (container.isEmpty()) {
                problem("%s: no container named %s", where, svc.deployment());
                continue;
            }
            Container c = container.get();
            Map<String, String> env = environment(c);
            ServiceConfig config = svc.config().withEnv(env);
            int http = config.httpPort();
            checkPort(where, c, "http", http, "quarkus.http.port");
            config.separateGrpcPort().ifPresent(grpc -> checkPort(where, c, "grpc", grpc, "quarkus.grpc.server.port"));
            checkProbe(where, "liveness", c.getLivenessProbe(), config.livenessPath(), http, c);
            checkProbe(where, "readiness", c.getReadinessProbe(), config.readinessPath(), http, c);
            if (c.getStartupProbe() != null) {
                checkProbe(where, "startup", c.getStartupProbe(), config.livenessPath(), http, c);
            }
            Map<String, String> annotations = Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .orElse(Map.of());
            if (!String.valueOf(http).equals(annotations.get("prometheus.io/port"))
                    || !config.metricsPath().equals(annotations.get("prometheus.io/path"))) {
                problem("%s: prometheus.io/port and /path are %s %s, the service serves metrics at %d %s", where,
                        annotations.get("prometheus.io/port"), annotations.get("prometheus.io/path"), http,
                        config.metricsPath());
            }
            if (svc.kafkaUser() == null) {
                continue;
            }
            if (render.find("KafkaUser", svc.kafkaUser()).isEmpty()) {
                problem("%s: KafkaUser %s is not in the render", where, svc.kafkaUser());
            }
            if (!svc.kafkaUser().equals(env.get("KAFKA_SASL_USERNAME"))) {
                problem("%s: KAFKA_SASL_USERNAME is %s, not its KafkaUser %s", where, env.get("KAFKA_SASL_USERNAME"),
                        svc.kafkaUser());
            }
            String passwordSecret = list(c.getEnv()).stream().filter(e -> "KAFKA_SASL_PASSWORD".equals(e.getName()))
                    .map(e -> e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null ? null
                            : e.getValueFrom().getSecretKeyRef().getName())
                    .filter(Objects::nonNull).findFirst().orElse(null);
            if (!svc.kafkaUser().equals(passwordSecret)) {
                problem("%s: KAFKA_SASL_PASSWORD does not come from the Secret of KafkaUser %s", where,
                        svc.kafkaUser());
            }
            if (env.get("KAFKA_BOOTSTRAP_SERVERS") == null) {
                problem("%s: KAFKA_BOOTSTRAP_SERVERS is not set", where);
            }
            Set<String> allowed = new HashSet<>(svc.reads());
            allowed.addAll(svc.writes());
            for (String topic : config.channelTopics()) {
                if (!allowed.contains(topic)) {
                    problem("%s: its application.properties names topic %s, which its Kafka rights do not cover",
                            where, topic);
                }
            }
            for (String group : config.channelGroups()) {
                if (!svc.groups().contains(group) && svc.groupPrefixes().stream().noneMatch(group::startsWith)) {
                    problem("%s: its application.properties uses consumer group %s, which its Kafka rights do not "
                            + "cover", where, group);
                }
            }
            for (String prefix : config.channelTransactionalIdPrefixes()) {
                if (!svc.transactionalIdPrefixes().contains(prefix) && !svc.transactionalIds().contains(prefix)) {
                    problem("%s: its application.properties uses transactional ids %s..., which its Kafka rights do "
                            + "not cover", where, prefix);
                }
            }
        }
    }

    private void checkPort(String where, Container c, String name, int expected, String key) {
        Optional<ContainerPort> port = list(c.getPorts()).stream().filter(p -> name.equals(p.getName())).findFirst();
        if (port.isEmpty()) {
            problem("%s: no container port named %s (%s = %d)", where, name, key, expected);
        } else if (port.get().getContainerPort() != expected) {
            problem("%s: container port %s is %d, but %s = %d", where, name, port.get().getContainerPort(), key,
                    expected);
        }
    }

    private void checkProbe(String where, String kind, Probe probe, String path, int port, Container c) {
        if (probe == null) {
            return; // reported by security()
        }
        HTTPGetAction get = probe.getHttpGet();
        if (get == null) {
            problem("%s: %s probe is not an HTTP GET of %s", where, kind, path);
            return;
        }
        if (!path.equals(get.getPath())) {
            problem("%s: %s probe path is %s, the service serves %s", where, kind, get.getPath(), path);
        }
        Integer resolved = resolvePort(c, get.getPort());
        if (resolved == null || resolved != port) {
            problem("%s: %s probe port is %s, the service listens on %d", where, kind, portText(get.getPort()), port);
        }
    }

    /** The container's environment as far as the render knows it: plain values, ConfigMap data, secrets masked. */
    private Map<String, String> environment(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : list(c.getEnvFrom())) {
            if (from.getConfigMapRef() != null) {
                render.find(ConfigMap.class, from.getConfigMapRef().getName())
                        .ifPresent(cm -> Optional.ofNullable(cm.getData()).ifPresent(env::putAll));
            }
        }
        for (EnvVar e : list(c.getEnv())) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = e.getValueFrom().getConfigMapKeyRef();
                render.find(ConfigMap.class, ref.getName()).map(ConfigMap::getData).map(d -> d.get(ref.getKey()))
                        .ifPresent(v -> env.put(e.getName(), v));
            } else if (e.getValueFrom() != null) {
                env.put(e.getName(), SECRET_VALUE);
            }
        }
        return env;
    }

    // ---- kafka -------------------------------------------------------------------------------------------------------

    private Map<String, GenericKubernetesResource> topics() {
        Map<String, GenericKubernetesResource> topics = new LinkedHashMap<>();
        for (GenericKubernetesResource t : render.generic("KafkaTopic")) {
            String name = Optional.ofNullable(text(t, "spec", "topicName")).orElse(t.getMetadata().getName());
            topics.put(name, t);
        }
        return topics;
    }

    private void kafka() {
        Map<String, GenericKubernetesResource> topics = topics();
        for (Map.Entry<String, Map<String, String>> e : expect.topics().entrySet()) {
            GenericKubernetesResource t = topics.get(e.getKey());
            if (t == null) {
                problem("KafkaTopic %s: missing (the services use this topic)", e.getKey());
                continue;
            }
            JsonNode config = node(t).path("spec").path("config");
            for (Map.Entry<String, String> c : e.getValue().entrySet()) {
                String actual = config.has(c.getKey()) ? config.get(c.getKey()).asText() : null;
                if (!c.getValue().equals(actual)) {
                    problem("KafkaTopic %s: %s is %s, the services expect %s", e.getKey(), c.getKey(), actual,
                            c.getValue());
                }
            }
            int partitions = node(t).path("spec").path("partitions").asInt(0);
            if (partitions < 1) {
                problem("KafkaTopic %s: no partition count", e.getKey());
            }
            Integer fixed = expect.fixedPartitions().get(e.getKey());
            if (fixed != null && fixed != partitions) {
                problem("KafkaTopic %s: has %d partitions, the services need exactly %d", e.getKey(), partitions, fixed);
            }
        }
        for (String name : topics.keySet()) {
            if (!expect.topics().containsKey(name)) {
                problem("KafkaTopic %s: no service uses this topic", name);
            }
        }
        for (Set<String> group : expect.equalPartitions()) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            group.stream().sorted().filter(topics::containsKey)
                    .forEach(t -> counts.put(t, node(topics.get(t)).path("spec").path("partitions").asInt()));
            if (new HashSet<>(counts.values()).size() > 1) {
                problem("KafkaTopics %s: must have the same partition count", counts);
            }
        }
        Map<String, Expectations.QuarkusService> byUser = new HashMap<>();
        expect.services().values().stream().filter(s -> s.kafkaUser() != null).forEach(s -> byUser.put(s.kafkaUser(), s));
        for (GenericKubernetesResource user : render.generic("KafkaUser")) {
            String name = user.getMetadata().getName();
            JsonNode spec = node(user).path("spec");
            String auth = spec.path("authentication").path("type").asText();
            if (!auth.equals("scram-sha-512") && !auth.equals("tls")) {
                problem("KafkaUser %s: authentication %s, not scram-sha-512 or tls", name, auth);
            }
            Map<String, Set<String>> topicOps = new HashMap<>();
            Set<String> groups = new TreeSet<>();
            Set<String> groupPrefixes = new TreeSet<>();
            Set<String> txns = new TreeSet<>();
            Set<String> txnPrefixes = new TreeSet<>();
            for (JsonNode acl : spec.path("authorization").path("acls")) {
                JsonNode res = acl.path("resource");
                String type = res.path("type").asText();
                String resName = res.path("name").asText();
                boolean prefix = "prefix".equals(res.path("patternType").asText("literal"));
                Set<String> ops = new TreeSet<>();
                acl.path("operations").forEach(o -> ops.add(o.asText()));
                if (acl.has("operation")) {
                    ops.add(acl.get("operation").asText());
                }
                if (resName.equals("*") || (prefix && resName.isEmpty()) || ops.contains("All")) {
                    problem("KafkaUser %s: ACL on %s %s with %s is a wildcard", name, type, resName, ops);
                }
                switch (type) {
                    case "topic" -> {
                        if (prefix) {
                            problem("KafkaUser %s: prefixed topic ACL %s*; name each topic", name, resName);
                        }
                        if (!topics.containsKey(resName)) {
                            problem("KafkaUser %s: ACL on topic %s, which has no KafkaTopic", name, resName);
                        }
                        topicOps.computeIfAbsent(resName, k -> new TreeSet<>()).addAll(ops);
                    }
                    case "group" -> (prefix ? groupPrefixes : groups).add(resName);
                    case "transactionalId" -> (prefix ? txnPrefixes : txns).add(resName);
                    default -> problem("KafkaUser %s: ACL on %s %s; services need none", name, type, resName);
                }
            }
            Expectations.QuarkusService svc = byUser.get(name);
            if (svc == null) {
                continue;
            }
            Set<String> reads = topicOps.entrySet().stream().filter(e -> e.getValue().contains("Read"))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
            Set<String> writes = topicOps.entrySet().stream().filter(e -> e.getValue().contains("Write"))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
            compare(name, "reads topics", reads, svc.reads());
            compare(name, "writes topics", writes, svc.writes());
            compare(name, "consumer groups", groups, svc.groups());
            compare(name, "consumer group prefixes", groupPrefixes, svc.groupPrefixes());
            compare(name, "transactional ids", txns, svc.transactionalIds());
            compare(name, "transactional id prefixes", txnPrefixes, svc.transactionalIdPrefixes());
            for (Map.Entry<String, Set<String>> e : topicOps.entrySet()) {
                Set<String> extra = new TreeSet<>(e.getValue());
                extra.removeAll(Set.of("Read", "Write", "Describe"));
                if (!extra.isEmpty()) {
                    problem("KafkaUser %s: topic %s: operations %s beyond read, write and describe", name, e.getKey(),
                            extra);
                }
            }
        }
    }

    private void compare(String user, String what, Set<String> actual, Set<String> expected) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        Set<String> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        if (!missing.isEmpty()) {
            problem("KafkaUser %s: %s: missing %s", user, what, missing);
        }
        if (!extra.isEmpty()) {
            problem("KafkaUser %s: %s: %s granted beyond what the service uses", user, what, extra);
        }
    }

    private void keda() {
        Map<String, GenericKubernetesResource> topics = topics();
        for (GenericKubernetesResource so : render.generic("ScaledObject")) {
            String name = so.getMetadata().getName();
            int max = node(so).path("spec").path("maxReplicaCount").asInt(100);
            String target = text(so, "spec", "scaleTargetRef", "name");
            Expectations.QuarkusService svc = expect.services().get(target);
            for (JsonNode trigger : node(so).path("spec").path("triggers")) {
                if (!"kafka".equals(trigger.path("type").asText())) {
                    continue;
                }
                String topic = trigger.path("metadata").path("topic").asText();
                String group = trigger.path("metadata").path("consumerGroup").asText();
                GenericKubernetesResource t = topics.get(topic);
                if (t == null) {
                    problem("ScaledObject %s: topic %s has no KafkaTopic", name, topic);
                } else if (max > node(t).path("spec").path("partitions").asInt()) {
                    problem("ScaledObject %s: maxReplicaCount %d exceeds the %d partitions of %s", name, max,
                            node(t).path("spec").path("partitions").asInt(), topic);
                }
                if (svc != null && (!svc.groups().contains(group) || !svc.reads().contains(topic))) {
                    problem("ScaledObject %s: watches group %s on %s, but %s consumes %s as %s", name, group, topic,
                            target, svc.reads(), svc.groups());
                }
            }
        }
    }

    // ---- monitoring --------------------------------------------------------------------------------------------------

    private static final Set<String> SEVERITIES = Set.of("warning", "critical");
    /** A Prometheus duration, e.g. 5m or 1h30m. */
    private static final Pattern DURATION = Pattern.compile("([0-9]+(ms|s|m|h|d|w|y))+");
    /** PromQL string literals, whose text is not a series name. */
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'"
            + "|`[^`]*`");
    /** The series whose source the checker knows: the services' own and the Kafka Exporter's consumer groups. */
    private static final Pattern SERIES = Pattern.compile("(?<![A-Za-z0-9_:])(mmed_[A-Za-z0-9_:]*"
            + "|kafka_consumergroup_[A-Za-z0-9_:]*)");
    private static final String EXPORTER_PORT = "tcp-prometheus";

    /** Kafka clusters for which Strimzi runs its Kafka Exporter. */
    private List<GenericKubernetesResource> kafkasWithExporter() {
        return render.generic("Kafka").stream().filter(k -> node(k).path("spec").path("kafkaExporter").isObject())
                .toList();
    }

    /**
     * The pods that Strimzi creates for monitoring and that a PodMonitor may select: the Kafka Exporter, labelled
     * strimzi.io/cluster, strimzi.io/kind and strimzi.io/name ({@code <cluster>-kafka-exporter}) plus the labels of its
     * pod template, with its metrics port tcp-prometheus (9404).
     */
    private List<Workload> operatorPods() {
        List<Workload> pods = new ArrayList<>();
        for (GenericKubernetesResource kafka : kafkasWithExporter()) {
            String cluster = kafka.getMetadata().getName();
            String name = cluster + "-kafka-exporter";
            Map<String, String> labels = new LinkedHashMap<>();
            node(kafka).path("spec").path("kafkaExporter").path("template").path("pod").path("metadata").path("labels")
                    .fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            labels.put("strimzi.io/cluster", cluster);
            labels.put("strimzi.io/kind", "Kafka");
            labels.put("strimzi.io/name", name);
            PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().addNewContainer().withName(name).addNewPort().withName(EXPORTER_PORT)
                    .withContainerPort(9404).endPort().endContainer().endSpec().build();
            pods.add(new Workload("the Kafka Exporter of Kafka " + cluster, kafka, template));
        }
        return pods;
    }

    private void monitoring() {
        List<GenericKubernetesResource> monitors = render.generic("PodMonitor");
        List<Workload> pods = new ArrayList<>(workloads());
        pods.addAll(operatorPods());
        Set<String> scraped = new HashSet<>();
        for (GenericKubernetesResource pm : monitors) {
            String name = "PodMonitor " + pm.getMetadata().getName();
            JsonNode spec = node(pm).path("spec");
            JsonNode selector = spec.path("selector");
            if (selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty()) {
                problem("%s: no selector (it would scrape every pod of its namespace)", name);
                continue;
            }
            JsonNode namespaces = spec.path("namespaceSelector");
            Set<String> names = new HashSet<>();
            namespaces.path("matchNames").forEach(n -> names.add(n.asText()));
            Predicate<String> inScope = namespaces.path("any").asBoolean(false) ? n -> true
                    : !names.isEmpty() ? names::contains : n -> Objects.equals(n, pm.getMetadata().getNamespace());
            List<Workload> selected = pods.stream().filter(w -> inScope.test(w.owner().getMetadata().getNamespace())
                    && selects(selector, w.template())).toList();
            if (selected.isEmpty()) {
                problem("%s: its selector %s matches no pod template", name, selector);
                continue;
            }
            JsonNode endpoints = spec.path("podMetricsEndpoints");
            if (endpoints.isEmpty()) {
                problem("%s: no podMetricsEndpoints", name);
            }
            for (JsonNode endpoint : endpoints) {
                String port = endpoint.path("port").asText("");
                Integer number = endpoint.path("portNumber").isInt() ? endpoint.get("portNumber").asInt() : null;
                if (port.isEmpty() && number == null) {
                    problem("%s: an endpoint names no port", name);
                    continue;
                }
                String label = port.isEmpty() ? String.valueOf(number) : port;
                String path = endpoint.path("path").asText("/metrics");
                for (Workload w : selected) {
                    Optional<ContainerPort> declared = list(w.template().getSpec().getContainers()).stream()
                            .flatMap(c -> list(c.getPorts()).stream())
                            .filter(p -> port.isEmpty() ? Objects.equals(p.getContainerPort(), number)
                                    : port.equals(p.getName()))
                            .findFirst();
                    if (declared.isEmpty()) {
                        problem("%s: port %s: no container of %s declares it", name, label, w.describe());
                        continue;
                    }
                    Map<String, String> annotations = w.template().getMetadata().getAnnotations() == null ? Map.of()
                            : w.template().getMetadata().getAnnotations();
                    String servedPort = annotations.get("prometheus.io/port");
                    String servedPath = annotations.get("prometheus.io/path");
                    if (servedPort != null && servedPath != null
                            && (!servedPort.equals(String.valueOf(declared.get().getContainerPort()))
                                    || !servedPath.equals(path))) {
                        problem("%s: scrapes %s at port %s (%d) %s, but it serves metrics at %s %s (its prometheus.io "
                                + "annotations)", name, w.describe(), label, declared.get().getContainerPort(), path,
                                servedPort, servedPath);
                        continue;
                    }
                    scraped.add(w.describe());
                }
            }
        }
        if (!monitors.isEmpty()) {
            for (Expectations.QuarkusService svc : expect.services().values()) {
                String workload = "Deployment " + svc.deployment();
                if (render.find(Deployment.class, svc.deployment()).isPresent() && !scraped.contains(workload)) {
                    problem("%s: no PodMonitor scrapes its metrics", workload);
                }
            }
        }
        rules();
    }

    private void rules() {
        boolean exporter = !kafkasWithExporter().isEmpty();
        for (GenericKubernetesResource pr : render.generic("PrometheusRule")) {
            String name = "PrometheusRule " + pr.getMetadata().getName();
            JsonNode groups = node(pr).path("spec").path("groups");
            if (groups.isEmpty()) {
                problem("%s: no rule groups", name);
            }
            Set<String> recorded = new HashSet<>();
            groups.forEach(g -> g.path("rules").forEach(r -> Optional.ofNullable(value(r.path("record")))
                    .ifPresent(recorded::add)));
            for (JsonNode group : groups) {
                if (group.path("rules").isEmpty()) {
                    problem("%s: group %s has no rules", name, group.path("name").asText());
                }
                for (JsonNode rule : group.path("rules")) {
                    String alert = value(rule.path("alert"));
                    String record = value(rule.path("record"));
                    String where = name + ": " + (alert != null ? "alert " + alert : record != null ? "record " + record
                            : "a rule of group " + group.path("name").asText());
                    if (alert == null && record == null) {
                        problem("%s: neither alert nor record", where);
                    }
                    String expr = value(rule.path("expr"));
                    if (expr == null) {
                        problem("%s: no expr", where);
                    } else {
                        Set<String> series = new TreeSet<>();
                        Matcher m = SERIES.matcher(QUOTED.matcher(expr).replaceAll("\"\""));
                        while (m.find()) {
                            series.add(m.group(1));
                        }
                        for (String s : series) {
                            if (s.startsWith("mmed_") && !expect.metrics().contains(s) && !recorded.contains(s)) {
                                problem("%s: expr uses %s, which no deployed service registers", where, s);
                            } else if (s.startsWith("kafka_consumergroup_") && !exporter) {
                                problem("%s: expr uses %s, but no Kafka of the render runs the Kafka Exporter "
                                        + "(spec.kafkaExporter)", where, s);
                            }
                        }
                    }
                    if (alert == null) {
                        continue;
                    }
                    String pending = value(rule.path("for"));
                    if (pending == null) {
                        problem("%s: no for (how long the condition must hold before it fires)", where);
                    } else if (!DURATION.matcher(pending).matches()) {
                        problem("%s: for %s is not a duration", where, pending);
                    }
                    String severity = value(rule.path("labels").path("severity"));
                    if (severity == null) {
                        problem("%s: no labels.severity (warning or critical)", where);
                    } else if (!SEVERITIES.contains(severity)) {
                        problem("%s: severity %s, not warning or critical", where, severity);
                    }
                    for (String annotation : List.of("summary", "description")) {
                        if (value(rule.path("annotations").path(annotation)) == null) {
                            problem("%s: no annotations.%s", where, annotation);
                        }
                    }
                }
            }
        }
    }

    /** Whether a label selector (matchLabels and matchExpressions) selects a pod template's labels. */
    private static boolean selects(JsonNode selector, PodTemplateSpec template) {
        Map<String, String> labels = template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels();
        for (var it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean matches = switch (expression.path("operator").asText()) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> false;
            };
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    /** A node's text, or null when it is missing, null or blank. */
    private static String value(JsonNode n) {
        return n.isMissingNode() || n.isNull() || n.asText().isBlank() ? null : n.asText();
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static List<Container> containers(PodSpec pod) {
        List<Container> all = new ArrayList<>(list(pod.getInitContainers()));
        all.addAll(list(pod.getContainers()));
        return all;
    }

    private static List<Probe> probes(Container c) {
        List<Probe> probes = new ArrayList<>();
        for (Probe p : new Probe[] {c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()}) {
            if (p != null) {
                probes.add(p);
            }
        }
        return probes;
    }

    private static boolean matches(Map<String, String> selector, PodTemplateSpec template) {
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        return labels != null && labels.entrySet().containsAll(selector.entrySet());
    }

    private static boolean declaresPort(PodSpec pod, IntOrString port) {
        return list(pod.getContainers()).stream().anyMatch(c -> declaresPort(c, port));
    }

    private static boolean declaresPort(Container c, IntOrString port) {
        return resolvePort(c, port) != null;
    }

    private static Integer resolvePort(Container c, IntOrString port) {
        if (port == null) {
            return null;
        }
        for (ContainerPort p : list(c.getPorts())) {
            if (port.getStrVal() != null ? port.getStrVal().equals(p.getName())
                    : Objects.equals(port.getIntVal(), p.getContainerPort())) {
                return p.getContainerPort();
            }
        }
        return null;
    }

    private static String portText(IntOrString port) {
        return port == null ? "none" : port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
    }

    private JsonNode node(HasMetadata r) {
        return render.documents().stream().filter(d -> d.resource() == r).findFirst().map(RenderedManifests.Document::raw)
                .orElseThrow();
    }

    private String text(HasMetadata r, String... path) {
        JsonNode n = node(r);
        for (String p : path) {
            n = n.path(p);
        }
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
