package io.mmedstream.local.stack;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The services the local stack runs, each as {@code java -jar services/<id>/target/quarkus-app/quarkus-run.jar}: the
 * data plane (ingest, filter, tokenize), the train-coordinator, which runs training rounds on the shards, the model
 * server (Triton's KServe v2 gRPC protocol, on its HTTP port), eval, which evaluates and promotes each checkpoint, and
 * inference, the public gRPC API in front of the model server. {@code down} stops them in the reverse order.
 */
public enum Service {

    INGEST("ingest", 8081, "/q/health/ready"),
    FILTER("filter", 8082, "/q/health/ready"),
    TOKENIZE("tokenize", 8083, "/q/health/ready"),
    TRAIN_COORDINATOR("train-coordinator", 8084, "/q/health/ready"),
    MODEL_SERVER("model-server", 8001, "/q/health/ready"),
    EVAL("eval", 8086, "/q/health/ready"),
    /**
     * Ready only once a model serves, which on a fresh stack is after the first evaluated checkpoint: {@code up}
     * waits until it is live, {@code status} shows its readiness.
     */
    INFERENCE("inference", 8085, "/q/health/live");

    private final String id;
    private final int defaultPort;
    private final String startedPath;

    Service(String id, int defaultPort, String startedPath) {
        this.id = id;
        this.defaultPort = defaultPort;
        this.startedPath = startedPath;
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

    /**
     * The health path {@code up} waits for: readiness ({@code /q/health/ready}), except for a service whose
     * readiness depends on later work (inference serves only once a checkpoint has been promoted), where liveness.
     */
    public String startedPath() {
        return startedPath;
    }

    /** The runnable jar the Quarkus build leaves in the service's folder. */
    public Path jar(Path root) {
        return root.resolve("services").resolve(id).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
