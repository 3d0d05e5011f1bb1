package io.mmedstream.inference.config;

import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.triton.client.ModelStatus;
import io.mmedstream.triton.client.TritonClient;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Finds a first model to serve, in the background so that the service starts even when the backend is not up yet:
 * promotes {@code mmed.inference.model.initial-version} when set, else adopts the highest version of
 * {@code mmed.inference.model.name} the backend already has ready. Tries every 5 s until something serves (or a
 * promotion arrives; a promotion read from Kafka first is never undone by this).
 */
@ApplicationScoped
public class StartupRouting {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inference-startup-routing");
        t.setDaemon(true);
        return t;
    });

    void onStart(@Observes StartupEvent event, ModelRouter router, TritonClient client, InferenceConfig config) {
        timer.scheduleWithFixedDelay(() -> {
            if (router.serving().isPresent()) {
                timer.shutdown();
                return;
            }
            try {
                String name = config.model().name();
                Optional<String> initial = config.model().initialVersion();
                if (initial.isPresent()) {
                    router.promoteIfIdle(ServingModel.of(name, initial.get()));
                } else {
                    Optional<ModelStatus> ready = client.index(true).stream()
                            .filter(m -> m.name().equals(name) && m.isReady() && !m.version().isEmpty())
                            .max(Comparator.comparingLong(m -> Long.parseLong(m.version())));
                    if (ready.isEmpty()) {
                        Log.infof("no ready version of model %s on the backend yet; retrying in 5 s", name);
                        return;
                    }
                    router.adopt(ServingModel.of(name, ready.get().version()));
                }
                timer.shutdown();
            } catch (RuntimeException e) {
                Log.warnf("start-up routing: %s; retrying in 5 s", e.getMessage());
            }
        }, 0, 5, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }
}
