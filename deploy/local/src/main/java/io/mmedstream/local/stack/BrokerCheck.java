package io.mmedstream.local.stack;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;

import io.mmedstream.kafka.security.KafkaSecurity;
import io.mmedstream.local.cli.CommandException;
import io.mmedstream.proto.Topics;

/** Asks Kafka, with a short timeout, whether it answers and has the pipeline's topics, before a command relies on it. */
public final class BrokerCheck {

    /** How long the check waits for the broker. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private BrokerCheck() {
    }

    /**
     * The security settings of every Kafka client of the CLI (submit, status, demo, bench), from the
     * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_*} and {@code KAFKA_SSL_*} environment variables (none:
     * PLAINTEXT, as the local stack's broker speaks).
     *
     * @throws CommandException naming the variable when they do not make sense
     */
    public static Map<String, Object> security() {
        try {
            return KafkaSecurity.fromEnvironment().clientProperties();
        } catch (IllegalArgumentException e) {
            throw new CommandException("Kafka security settings: " + e.getMessage());
        }
    }

    /**
     * Returns when the broker at {@code bootstrap} answers and has {@value Topics#DOCS_SUBMITTED}.
     *
     * @throws CommandException naming the address when it does not answer within {@link #TIMEOUT} or lacks the topic
     */
    public static void require(String bootstrap) {
        int ms = (int) TIMEOUT.toMillis();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(security());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "mmed-check");
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (KafkaException e) {
            throw new CommandException("cannot use the Kafka address '" + bootstrap + "': " + e.getMessage(), e);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId()
                    .get(ms + 1000L, TimeUnit.MILLISECONDS);
            Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs(ms)).names()
                    .get(ms + 1000L, TimeUnit.MILLISECONDS);
            if (!topics.contains(Topics.DOCS_SUBMITTED)) {
                throw new CommandException("Kafka at " + bootstrap + " has no topic " + Topics.DOCS_SUBMITTED
                        + ": is it the MMedStream broker? (./mmed up starts one)");
            }
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof AuthenticationException) {
                throw new CommandException("Kafka at " + bootstrap + " refused this client: " + cause.getMessage()
                        + " (check KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD and KAFKA_SSL_*)");
            }
            throw new CommandException("cannot reach Kafka at " + bootstrap + " within " + TIMEOUT.toSeconds()
                    + " s. Is the stack up? (./mmed up starts it; --bootstrap HOST:PORT names another broker)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while connecting to Kafka at " + bootstrap);
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
