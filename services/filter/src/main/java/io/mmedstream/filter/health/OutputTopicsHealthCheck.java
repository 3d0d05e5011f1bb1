package io.mmedstream.filter.health;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.mmedstream.filter.config.FilterConfig;
import io.mmedstream.proto.Topics;
import io.smallrye.common.annotation.Identifier;

/**
 * Readiness: every topic the filter writes exists. The broker does not create topics on demand, and a transaction
 * that writes to a missing topic fails and is retried forever, so a missing output topic (typically the dead-letter
 * topic, which only a poison record ever needs) must show before the first such record arrives. Once all topics
 * were seen the check stays up without asking the broker again; the messaging health checks cover the connection.
 */
@Readiness
@ApplicationScoped
public class OutputTopicsHealthCheck implements HealthCheck {

    private static final String NAME = "filter output topics";

    private final Set<String> required = new LinkedHashSet<>();
    private final Map<String, Object> kafkaConfig;
    private volatile boolean confirmed;
    private Admin admin;

    @Inject
    public OutputTopicsHealthCheck(FilterConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        required.add(Topics.DOCS_ACCEPTED);
        required.add(Topics.DOCS_DROPPED);
        required.add(config.output().deadLetterTopic());
        this.kafkaConfig = kafkaConfig;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("topics", required.toString());
        if (confirmed) {
            return response.up().build();
        }
        try {
            Set<String> missing = new LinkedHashSet<>(required);
            missing.removeAll(admin().listTopics().names().get(5, TimeUnit.SECONDS));
            if (missing.isEmpty()) {
                confirmed = true;
                return response.up().build();
            }
            return response.down().withData("missing", missing.toString()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        } catch (Exception e) {
            return response.down().withData("error", String.valueOf(e)).build();
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> config = new HashMap<>();
            kafkaConfig.forEach((k, v) -> {
                if (AdminClientConfig.configNames().contains(k)) {
                    config.put(k, v);
                }
            });
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            admin = Admin.create(config);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
