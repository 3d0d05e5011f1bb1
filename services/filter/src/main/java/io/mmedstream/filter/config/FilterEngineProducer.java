package io.mmedstream.filter.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.mmedstream.filter.messaging.DocumentRouter;
import io.mmedstream.filter.service.DocumentFilter;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

/** Builds the plain-Java engine and router from the configuration, once per process. */
@ApplicationScoped
public class FilterEngineProducer {

    /** Built at startup, so a bad configuration stops the service and the first batch does not wait for it. */
    @Produces
    @Singleton
    @Startup
    DocumentFilter documentFilter(FilterConfig config) {
        long start = System.nanoTime();
        DocumentFilter filter = new DocumentFilter(config.toSettings());
        Log.infof("Filter %s ready in %d ms: languages %s (also detects %s as other), relevance thresholds %s",
                filter.version(), (System.nanoTime() - start) / 1_000_000, filter.languages(),
                filter.settings().otherLanguages(), thresholdSummary(filter));
        return filter;
    }

    @Produces
    @Singleton
    DocumentRouter documentRouter(DocumentFilter filter, FilterConfig config) {
        return new DocumentRouter(filter, config.output().deadLetterTopic(), config.output().keepDroppedText());
    }

    private static String thresholdSummary(DocumentFilter filter) {
        StringBuilder out = new StringBuilder();
        for (String lang : filter.languages()) {
            out.append(out.isEmpty() ? "" : ", ").append(lang).append(' ').append(filter.thresholdSummary(lang));
        }
        return out.toString();
    }
}
