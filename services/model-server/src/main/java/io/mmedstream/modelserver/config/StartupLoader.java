package io.mmedstream.modelserver.config;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelServerException;
import io.mmedstream.modelserver.service.ServerState;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Loads the start-up models (explicit mode's {@code --load-model}), then reports the server ready. */
@Singleton
public class StartupLoader {

    void onStart(@Observes StartupEvent event, ModelServerConfig config, ModelManager models, ServerState state) {
        Log.infof("model repository %s (%s)", models.repository().root(),
                models.repository().isReadable() ? "readable" : "NOT READABLE: the server stays not ready");
        for (String name : config.repository().loadOnStartup().orElse(List.of())) {
            try {
                models.load(name, null);
            } catch (ModelServerException e) {
                Log.errorf("model %s was not loaded at start-up: %s", name, e.getMessage());
            }
        }
        state.markStarted();
    }

    void onStop(@Observes ShutdownEvent event, ServerState state) {
        state.markStopping();
    }
}
