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
import io.mmedstream.proto.Topics;
import io.mmedstream.triton.client.ModelStatus;
import io.mmedstream.triton.client.TritonClient;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Finds a first model to serve, in the background so that the service starts even when the backend is not up yet.
 *
 * <ul>
 * <li>{@code mmed.inference.model.initial-version} set: promotes it (an operator's explicit choice, in either mode
 *     below; a promotion read from Kafka first is never undone by it, and a later one replaces it).</li>
 * <li>Promotions followed ({@code mmed.inference.promotions.enabled}, the default): nothing else. What serves is what
 *     {@code mmed.models.promoted.v1} names, replayed at start-up by the {@code PromotionFollower}. The backend may
 *     hold versions eval has not promoted (a candidate it is evaluating is loaded and ready on the same server), so
 *     "the highest ready version" is not a safe guess: a restart during an evaluation would serve the candidate.</li>
 * <li>Promotions not followed: adopts the highest version of {@code mmed.inference.model.name} the backend already
 *     has ready (there is no other source of truth; {@code POST /admin/promote} changes it).</li>
 * </ul>
 * Tries every 5 s until something serves.
 */
@ApplicationScoped
public class StartupRouting {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inference-startup-routing");
        t.setDaemon(true);
        return t;
    });

    void onStart(@Observes StartupEvent event, ModelRouter router, TritonClient client, InferenceConfig config) {
        String name = config.model().name();
        Optional<String> initial = config.model().initialVersion();
        boolean adopt = !config.promotions().enabled();
        if (initial.isEmpty() && !adopt) {
            Log.infof("start-up: serving what %s names, nothing before (promotions are followed, so a version the"
                    + " backend has ready but eval has not promoted is never adopted)", Topics.MODELS_PROMOTED);
            timer.shutdown();
            return;
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (firstRoute(router, client, name, initial, adopt)) {
                    timer.shutdown();
                }
            } catch (RuntimeException e) {
                Log.warnf("start-up routing: %s; retrying in 5 s", e.getMessage());
            }
        }, 0, 5, TimeUnit.SECONDS);
    }

    /**
     * One attempt: promotes {@code initial} when given, else (only when {@code adopt}) adopts the highest version of
     * {@code name} the backend has ready. Does nothing once a version serves.
     *
     * @return whether start-up routing is done (a version serves, or there is nothing it may do)
     * @throws RuntimeException when the backend cannot be asked or the promotion fails (retry later)
     */
    static boolean firstRoute(ModelRouter router, TritonClient client, String name, Optional<String> initial,
                              boolean adopt) {
        if (router.serving().isPresent()) {
            return true;
        }
        if (initial.isPresent()) {
            router.promoteIfIdle(ServingModel.of(name, initial.get()));
            return true;
        }
        if (!adopt) {
            return true;
        }
        Optional<ModelStatus> ready = client.index(true).stream()
                .filter(m -> m.name().equals(name) && m.isReady() && !m.version().isEmpty())
                .max(Comparator.comparingLong(m -> Long.parseLong(m.version())));
        if (ready.isEmpty()) {
            Log.infof("no ready version of model %s on the backend yet; retrying in 5 s", name);
            return false;
        }
        router.adopt(ServingModel.of(name, ready.get().version()));
        return true;
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }
}
