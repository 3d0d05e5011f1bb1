package io.mmedstream.kafka.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Hands {@link KafkaSecurity#clientProperties()}, from the {@code KAFKA_*} environment variables, to a Quarkus
 * service's configuration as {@code kafka.*} properties ({@code kafka.security.protocol}, {@code kafka.sasl.*},
 * {@code kafka.ssl.*}). Quarkus passes every {@code kafka.*} property to the SmallRye Kafka channels and to the
 * {@code default-kafka-broker} map the services' own clients are built from, so every client of a service gets the
 * same settings. With nothing set it supplies nothing (PLAINTEXT, as before).
 *
 * <p>Registered through {@code META-INF/services}; ordinal {@value #ORDINAL}: above {@code application.properties}
 * (250), below environment variables (300) and system properties (400), so a {@code kafka.*} property set there
 * explicitly still wins. Invalid variables stop the service at start-up with a message naming the variable.
 */
public final class KafkaSecurityConfigSource implements ConfigSource {

    /** This source's ordinal. */
    public static final int ORDINAL = 275;

    private final Map<String, String> properties;

    /** From the process environment (how the ServiceLoader makes it). */
    public KafkaSecurityConfigSource() {
        this(System::getenv);
    }

    /** From variables looked up by name. */
    public KafkaSecurityConfigSource(Function<String, String> variables) {
        Map<String, String> p = new LinkedHashMap<>();
        KafkaSecurity.from(variables).clientProperties().forEach((k, v) -> p.put("kafka." + k, String.valueOf(v)));
        this.properties = Map.copyOf(p);
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "mmedstream-kafka-security (KAFKA_* environment variables)";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
