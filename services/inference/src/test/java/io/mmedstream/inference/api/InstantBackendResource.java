package io.mmedstream.inference.api;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.mmedstream.inference.tools.InstantTritonBackend;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A KServe v2 backend on a loopback port for {@code @QuarkusTest}s: {@link InstantTritonBackend} with model
 * {@code mmed} versions 1 and 2 in its repository. Init args: {@code load} (a version to have loaded at start),
 * {@code initial-version} (the service's {@code mmed.inference.model.initial-version}), {@code promotions}
 * ({@code mmed.inference.promotions.enabled}).
 */
public class InstantBackendResource implements QuarkusTestResourceLifecycleManager {

    private Map<String, String> args = Map.of();
    private Server server;

    @Override
    public void init(Map<String, String> initArgs) {
        this.args = initArgs;
    }

    @Override
    public Map<String, String> start() {
        InstantTritonBackend backend = new InstantTritonBackend(Map.of("mmed", Set.of(1L, 2L)));
        if (args.containsKey("load")) {
            backend.load("mmed", Long.parseLong(args.get("load")));
        }
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0)).addService(backend).build()
                    .start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("mmed.inference.triton.host", "localhost");
        config.put("mmed.inference.triton.port", Integer.toString(server.getPort()));
        if (args.containsKey("initial-version")) {
            config.put("mmed.inference.model.initial-version", args.get("initial-version"));
        }
        if (args.containsKey("promotions")) {
            config.put("mmed.inference.promotions.enabled", args.get("promotions"));
            config.put("mmed.inference.promotions.retry-backoff", "200ms");
        }
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
