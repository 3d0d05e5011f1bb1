package io.mmedstream.ingest.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.mmedstream.ingest.service.SubmissionProcessor;

/** Builds the plain-Java processor from the configuration. */
@ApplicationScoped
public class IngestBeans {

    @Produces
    @Singleton
    SubmissionProcessor submissionProcessor(IngestConfig config) {
        return new SubmissionProcessor(config.limits().toLimits(), Clock.systemUTC());
    }
}
