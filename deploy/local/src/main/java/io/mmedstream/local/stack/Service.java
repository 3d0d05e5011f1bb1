package io.mmedstream.local.stack;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The services the local stack runs, each as {@code java -jar services/<id>/target/quarkus-app/quarkus-run.jar}: the
 * data plane (ingest, filter, tokenize) and the train-coordinator, which runs training rounds on the shards.
 */
public enum Service {

    INGEST("ingest", 8081),
    FILTER("filter", 8082),
    TOKENIZE("tokenize", 8083),
    TRAIN_COORDINATOR("train-coordinator", 8084);

    private final String id;
    private final int defaultPort;

    Service(String id, int defaultPort) {
        this.id = id;
        this.defaultPort = defaultPort;
    }

    /** The service's name: its folder under {@code services/}, its log and pid file names. */
    public String id() {
        return id;
    }

    /** The HTTP port it listens on unless {@link #portVariable()} says otherwise. */
    public int defaultPort() {
        return defaultPort;
    }

    /** Environment variable that moves its HTTP port: {@code MMED_FILTER_PORT}, {@code MMED_TRAIN_COORDINATOR_PORT}. */
    public String portVariable() {
        return "MMED_" + id.toUpperCase(Locale.ROOT).replace('-', '_') + "_PORT";
    }

    /** The runnable jar the Quarkus build leaves in the service's folder. */
    public Path jar(Path root) {
        return root.resolve("services").resolve(id).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
