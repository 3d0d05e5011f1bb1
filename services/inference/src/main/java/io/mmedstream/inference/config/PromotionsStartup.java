package io.mmedstream.inference.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Provider;

import io.mmedstream.inference.messaging.PromotionFollower;
import io.mmedstream.proto.Topics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/** Starts following {@code mmed.models.promoted.v1} when {@code mmed.inference.promotions.enabled}. */
@ApplicationScoped
public class PromotionsStartup {

    void onStart(@Observes StartupEvent event, InferenceConfig config, Provider<PromotionFollower> follower) {
        if (!config.promotions().enabled()) {
            Log.infof("promotions: not following %s (mmed.inference.promotions.enabled=false); promote with POST"
                    + " /admin/promote", Topics.MODELS_PROMOTED);
            return;
        }
        follower.get().start();
    }
}
