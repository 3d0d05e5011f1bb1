package io.mmedstream.modelserver.config;

import java.nio.file.Path;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.mmedstream.modelserver.engine.ComputePool;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.service.InferenceRunner;
import io.mmedstream.modelserver.service.ModelManager;
import io.mmedstream.modelserver.service.ModelRepository;
import io.mmedstream.modelserver.service.ModelServerMetrics;
import io.mmedstream.modelserver.service.ServerState;

/** Builds the plain-Java parts of the server from the configuration, and closes them at shutdown. */
@Singleton
public class ModelServerBeans {

    @Produces
    @Singleton
    ModelRepository repository(ModelServerConfig config) {
        return new ModelRepository(Path.of(config.repository().path()));
    }

    @Produces
    @Singleton
    ComputePool computePool(ModelServerConfig config) {
        return new ComputePool(config.generation().computeThreads());
    }

    void closeComputePool(@Disposes ComputePool pool) {
        pool.close();
    }

    @Produces
    @Singleton
    ModelManager modelManager(ModelRepository repository, ComputePool pool, ModelServerConfig config) {
        return new ModelManager(repository, (dir, modelConfig) -> LoadedCheckpoint.load(dir, pool,
                modelConfig.maxContext()), config.repository().drainTimeout());
    }

    void closeModelManager(@Disposes ModelManager manager) {
        manager.close();
    }

    @Produces
    @Singleton
    InferenceRunner runner(ModelServerConfig config) {
        return new InferenceRunner(config.generation().concurrency(), config.generation().queueCapacity());
    }

    void closeRunner(@Disposes InferenceRunner runner) {
        runner.close();
    }

    @Produces
    @Singleton
    ModelServerMetrics metrics(MeterRegistry registry) {
        return new ModelServerMetrics(registry);
    }

    @Produces
    @Singleton
    ServerState serverState(ModelRepository repository) {
        return new ServerState(repository);
    }
}
