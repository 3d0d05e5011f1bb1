package io.mmedstream.inference.service;

import io.mmedstream.triton.client.TritonClient;

/** {@link ModelBackend} over a {@link TritonClient}; every call carries the client's deadline. */
public final class TritonModelBackend implements ModelBackend {

    private final TritonClient client;

    public TritonModelBackend(TritonClient client) {
        this.client = client;
    }

    @Override
    public void load(String model, String configJson) {
        client.load(model, configJson);
    }

    @Override
    public boolean ready(String model, String version) {
        return client.ready(model, version);
    }

    @Override
    public void unload(String model) {
        client.unload(model);
    }
}
