package io.mmedstream.modelserver.service;

/**
 * Whether the server takes requests: it is ready once the models named for start-up have been asked to load and
 * while its model repository can be read; not ready again once shutdown begins.
 */
public final class ServerState {

    private final ModelRepository repository;
    private volatile boolean started;
    private volatile boolean stopping;

    public ServerState(ModelRepository repository) {
        this.repository = repository;
    }

    public void markStarted() {
        started = true;
    }

    public void markStopping() {
        stopping = true;
    }

    public boolean isLive() {
        return !stopping;
    }

    public boolean isReady() {
        return started && !stopping && repository.isReadable();
    }
}
