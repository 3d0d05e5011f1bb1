package io.mmedstream.coordinator.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mmedstream.coordinator.dispatch.LocalDispatcher;
import io.mmedstream.coordinator.dispatch.PythonLocator;
import io.mmedstream.coordinator.messaging.CoordinatorLoop;
import io.mmedstream.coordinator.messaging.CoordinatorMetrics;
import io.mmedstream.coordinator.service.LanguageMixer;
import io.mmedstream.coordinator.service.RoundBook;
import io.mmedstream.coordinator.service.RoundPlanner;
import io.mmedstream.coordinator.service.RoundPolicy;

/**
 * A coordinator as the service builds it (real loop, real book, real local dispatcher), on a private set of topics,
 * running a {@link FakeTrainer} as its trainer process. Several harnesses on the same topics and work folder are
 * the same coordinator restarted.
 */
public final class LoopHarness implements AutoCloseable {

    /**
     * Knobs of a test coordinator.
     *
     * @param unavailableStarts how many starts the dispatcher refuses as unavailable first ({@link
     *        UnavailableDispatcher}); 0: the local dispatcher as it is
     * @param attemptTimeout the longest an attempt may run
     */
    public record Options(long minNewTokens, int maxAttempts, Duration stallTimeout, Duration retryBackoff,
            Map<String, Object> kafka, int unavailableStarts, Duration attemptTimeout) {

        public static Options defaults() {
            return new Options(1000, 3, Duration.ofMinutes(5), Duration.ofMillis(100), Map.of(), 0,
                    Duration.ofMinutes(10));
        }

        public Options withMinNewTokens(long value) {
            return new Options(value, maxAttempts, stallTimeout, retryBackoff, kafka, unavailableStarts,
                    attemptTimeout);
        }

        public Options withMaxAttempts(int value) {
            return new Options(minNewTokens, value, stallTimeout, retryBackoff, kafka, unavailableStarts,
                    attemptTimeout);
        }

        public Options withStallTimeout(Duration value) {
            return new Options(minNewTokens, maxAttempts, value, retryBackoff, kafka, unavailableStarts,
                    attemptTimeout);
        }

        /** One more Kafka client property for every client of the coordinator. */
        public Options withKafka(String key, Object value) {
            Map<String, Object> more = new HashMap<>(kafka);
            more.put(key, value);
            return new Options(minNewTokens, maxAttempts, stallTimeout, retryBackoff, Map.copyOf(more),
                    unavailableStarts, attemptTimeout);
        }

        /** The dispatcher is unavailable for its first {@code count} starts. */
        public Options withUnavailableStarts(int count) {
            return new Options(minNewTokens, maxAttempts, stallTimeout, retryBackoff, kafka, count, attemptTimeout);
        }

        public Options withAttemptTimeout(Duration value) {
            return new Options(minNewTokens, maxAttempts, stallTimeout, retryBackoff, kafka, unavailableStarts,
                    value);
        }
    }

    public final CoordinatorLoop loop;
    public final LocalDispatcher dispatcher;
    /** What the loop dispatches with: {@link #dispatcher}, behind an outage when the options ask for one. */
    public final UnavailableDispatcher unavailable;
    /** The coordinator's meters. */
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final Path workDir;
    public final Path checkpointsDir;
    /** The loop's clock: {@link StallableClock#stall} freezes the loop's thread. */
    public final StallableClock clock = new StallableClock();
    private final Thread thread;

    public LoopHarness(CoordinatorTopics topics, Path root, FakeTrainer.Mode mode, Options options) {
        workDir = root.resolve("rounds");
        checkpointsDir = root.resolve("checkpoints");
        dispatcher = new LocalDispatcher(new LocalDispatcher.Settings(FakeTrainer.command(root, mode),
                root.resolve("no-trainer-needed"), workDir, checkpointsDir, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10)), new PythonLocator(Optional.empty(), PythonLocator.CANDIDATES));
        RoundPolicy policy = new RoundPolicy(new RoundPolicy.Settings(options.minNewTokens(), Duration.ofHours(1),
                options.minNewTokens(), 0));
        LanguageMixer mixer = new LanguageMixer(new LanguageMixer.Settings(LanguageMixer.Mode.WEIGHTS,
                LanguageMixer.MMEDC_TOKENS, 3, 1));
        RoundPlanner planner = new RoundPlanner(new RoundPlanner.Training(1, 1, 0, 1, 1, 2e-5, 1e-3, 1, 0, List.of(),
                options.maxAttempts()), mixer, new RoundPlanner.ModelSource(Optional.empty(), s -> "{}"),
                dispatcher.name(), dispatcher.worldSize(), dispatcher::outputUri);
        Map<String, Object> kafka = new HashMap<>(options.kafka());
        kafka.put("bootstrap.servers", topics.servers());
        CoordinatorLoop.Settings settings = new CoordinatorLoop.Settings(kafka, topics.shards, topics.rounds,
                topics.checkpoints, topics.leader, topics.group, topics.transactionalId, Duration.ofMillis(100),
                Duration.ofMillis(200), Duration.ofSeconds(2), options.stallTimeout(), options.attemptTimeout(),
                Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(400));
        unavailable = new UnavailableDispatcher(dispatcher, options.unavailableStarts());
        loop = new CoordinatorLoop(settings, () -> new RoundBook(policy, planner,
                new RoundBook.Retry(options.retryBackoff(), options.retryBackoff()), Optional.empty(),
                Optional.empty()), unavailable, new CoordinatorMetrics(registry), clock);
        thread = new Thread(loop, "test-coordinator");
        clock.victim(thread);
        thread.setDaemon(true);
        thread.start();
    }

    /** The work folder of a round. */
    public Path roundDir(String roundId) {
        return workDir.resolve(roundId);
    }

    /** Stops the loop as a crash would: trainers it started keep running. */
    public void crash() {
        clock.resume();
        loop.stop();
        join();
    }

    /** Stops the loop and the dispatcher, as a shutdown does. */
    @Override
    public void close() {
        clock.resume();
        loop.stop();
        join();
        dispatcher.close();
    }

    private void join() {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the coordinator loop did not stop");
        }
    }
}
