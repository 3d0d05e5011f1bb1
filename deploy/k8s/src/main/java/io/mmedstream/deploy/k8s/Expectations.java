package io.mmedstream.deploy.k8s;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a render must agree with: the services' own configuration, the topic layout, the Secrets that exist outside
 * the render, and the metrics the services export.
 *
 * @param services the Quarkus services, by Deployment name
 * @param topics every topic the pipeline uses, with the topic configs it must have (e.g. cleanup.policy)
 * @param fixedPartitions topics whose partition count is part of the contract
 * @param equalPartitions groups of topics that must have the same partition count
 * @param externalSecrets Secrets the operator creates by hand (docs/deploy.md); Secrets that Strimzi creates (one per
 *     KafkaUser, {@code <cluster>-cluster-ca-cert}) are derived from the render
 * @param metrics the Prometheus series that the deployed services register ({@link MeterNames}), e.g.
 *     {@code mmed_records_rejected_total}: the only {@code mmed_*} series a PrometheusRule may use
 */
public record Expectations(Map<String, QuarkusService> services, Map<String, Map<String, String>> topics,
        Map<String, Integer> fixedPartitions, List<Set<String>> equalPartitions, Set<String> externalSecrets,
        Set<String> metrics) {

    public Expectations {
        services = Map.copyOf(services);
        topics = Map.copyOf(topics);
        fixedPartitions = Map.copyOf(fixedPartitions);
        equalPartitions = List.copyOf(equalPartitions);
        externalSecrets = Set.copyOf(externalSecrets);
        metrics = Set.copyOf(metrics);
    }

    /**
     * A Quarkus service and its Kafka rights.
     *
     * @param deployment Deployment (and container) name
     * @param config its application.properties
     * @param kafkaUser its KafkaUser, or null when it uses no Kafka
     * @param reads topics it reads
     * @param writes topics it writes
     * @param groups consumer groups it uses (literal names)
     * @param groupPrefixes consumer group name prefixes it may use
     * @param transactionalIds transactional ids (literal)
     * @param transactionalIdPrefixes transactional id prefixes (one id per instance)
     */
    public record QuarkusService(String deployment, ServiceConfig config, String kafkaUser, Set<String> reads,
            Set<String> writes, Set<String> groups, Set<String> groupPrefixes, Set<String> transactionalIds,
            Set<String> transactionalIdPrefixes) {

        public QuarkusService {
            reads = Set.copyOf(reads);
            writes = Set.copyOf(writes);
            groups = Set.copyOf(groups);
            groupPrefixes = Set.copyOf(groupPrefixes);
            transactionalIds = Set.copyOf(transactionalIds);
            transactionalIdPrefixes = Set.copyOf(transactionalIdPrefixes);
        }
    }
}
