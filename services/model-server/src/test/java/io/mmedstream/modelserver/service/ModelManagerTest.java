package io.mmedstream.modelserver.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.modelserver.domain.ModelIndexEntry;
import io.mmedstream.modelserver.engine.ComputePool;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.engine.TinyCheckpoint;
import io.mmedstream.modelserver.service.ModelServerException.Reason;

class ModelManagerTest {

    @TempDir
    Path root;
    private ComputePool pool;
    private ModelManager manager;
    private final AtomicInteger loads = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        pool = new ComputePool(2);
        Files.createDirectories(root.resolve("mmed"));
        Files.writeString(root.resolve("mmed/config.pbtxt"), "backend: \"mmed-llama\"\n");
        TinyCheckpoint.write(root.resolve("mmed/1"), 1);
        Files.createDirectories(root.resolve("other"));
        manager = new ModelManager(new ModelRepository(root), (dir, config) -> {
            loads.incrementAndGet();
            return LoadedCheckpoint.load(dir, pool, config.maxContext());
        }, Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() {
        manager.close();
        pool.close();
    }

    @Test
    void aModelServesOnlyAfterAnExplicitLoadAndStopsAfterUnload() {
        assertThat(manager.isReady("mmed", "")).isFalse();
        assertThat(manager.index(false)).containsExactly(new ModelIndexEntry("mmed", "", "", ""),
                new ModelIndexEntry("other", "", "", ""));
        assertThatThrownBy(() -> manager.lease("mmed", ""))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_NOT_READY));

        manager.load("mmed", null);
        assertThat(manager.isReady("mmed", "")).isTrue();
        assertThat(manager.isReady("mmed", "1")).isTrue();
        assertThat(manager.isReady("mmed", "2")).isFalse();
        assertThat(manager.index(true)).containsExactly(new ModelIndexEntry("mmed", "1", "READY", ""));

        manager.unload("mmed");
        assertThat(manager.isReady("mmed", "")).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> manager.index(false).contains(
                new ModelIndexEntry("mmed", "1", "UNAVAILABLE", "unloaded")));
        assertThat(manager.index(true)).isEmpty();
    }

    @Test
    void unknownModelsAreNotFoundAndBadVersionsInvalid() {
        assertThatThrownBy(() -> manager.lease("nope", ""))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> manager.load("nope", null))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_NOT_FOUND));
        manager.load("mmed", null);
        assertThatThrownBy(() -> manager.lease("mmed", "one"))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT));
        assertThat(manager.isReady("nope", "")).isFalse();
    }

    @Test
    void reloadKeepsUnchangedVersionsAndSwapsInANewLatestVersion() throws Exception {
        manager.load("mmed", null);
        ServedVersion first = manager.servingVersion("mmed", "");
        manager.load("mmed", null);
        assertThat(manager.servingVersion("mmed", "")).isSameAs(first);
        assertThat(loads.get()).isEqualTo(1);

        TinyCheckpoint.write(root.resolve("mmed/2"), 2);
        ServedVersion.Lease inFlight = manager.lease("mmed", "");
        manager.load("mmed", null);
        assertThat(manager.servingVersion("mmed", "").version()).isEqualTo(2);
        assertThat(manager.isReady("mmed", "1")).isFalse();
        assertThat(loads.get()).isEqualTo(2);

        // Version 1 drains: it still runs the request it leased, then goes.
        assertThat(inFlight.version().version()).isEqualTo(1);
        assertThat(inFlight.version().generator().generate("hi", io.mmedstream.modelserver.engine.DecodingParams
                .greedy(2), null, null).completionTokens()).isEqualTo(2);
        assertThat(manager.index(false)).contains(new ModelIndexEntry("mmed", "1", "UNLOADING", ""));
        inFlight.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> manager.index(false).contains(
                new ModelIndexEntry("mmed", "1", "UNAVAILABLE", "unloaded")));
        assertThat(manager.index(true)).containsExactly(new ModelIndexEntry("mmed", "2", "READY", ""));
    }

    @Test
    void aConfigOverrideServesSeveralVersionsSideBySide() throws Exception {
        TinyCheckpoint.write(root.resolve("mmed/2"), 2);
        manager.load("mmed", "{\"backend\": \"mmed-llama\", \"version_policy\": {\"specific\": {\"versions\": [1, 2]}},"
                + " \"parameters\": {\"max_context\": {\"string_value\": \"64\"}}}");
        assertThat(manager.servingVersions("mmed")).containsExactly(1L, 2L);
        assertThat(manager.servingVersion("mmed", "").version()).isEqualTo(2);
        assertThat(manager.servingVersion("mmed", "1").generator().maxContext()).isEqualTo(64);

        manager.load("mmed", null); // back to config.pbtxt: latest 1, full context
        assertThat(manager.servingVersions("mmed")).containsExactly(2L);
        assertThat(manager.servingVersion("mmed", "").generator().maxContext()).isEqualTo(256);
    }

    @Test
    void aFailedReloadLeavesTheServingVersionsUntouched() throws Exception {
        manager.load("mmed", null);
        ServedVersion serving = manager.servingVersion("mmed", "");
        Files.createDirectories(root.resolve("mmed/3")); // a version folder without a checkpoint
        assertThatThrownBy(() -> manager.load("mmed", null))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MODEL))
                .hasMessageContaining("mmed/3");
        assertThat(manager.servingVersion("mmed", "")).isSameAs(serving);
        List<ModelIndexEntry> index = manager.index(false);
        assertThat(index).contains(new ModelIndexEntry("mmed", "1", "READY", ""));
        assertThat(index).anySatisfy(e -> {
            assertThat(e.version()).isEqualTo("3");
            assertThat(e.state()).isEqualTo("UNAVAILABLE");
            assertThat(e.reason()).contains("mmed/3");
        });
    }

    @Test
    void aModelWhoseConfigurationFailsShowsTheReasonInTheIndex() throws Exception {
        Files.writeString(root.resolve("other/config.pbtxt"), "backend: \"tensorrt\"\n");
        assertThatThrownBy(() -> manager.load("other", null)).hasMessageContaining("tensorrt");
        assertThat(manager.index(false)).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("other");
            assertThat(e.state()).isEqualTo("UNAVAILABLE");
            assertThat(e.reason()).contains("tensorrt");
        });
    }

    @Test
    void unloadCancelsRequestsThatOutliveTheDrainTimeout() throws Exception {
        ModelManager quick = new ModelManager(new ModelRepository(root),
                (dir, config) -> LoadedCheckpoint.load(dir, pool, 0), Duration.ofMillis(200));
        try {
            quick.load("mmed", null);
            ServedVersion.Lease lease = quick.lease("mmed", "");
            quick.unload("mmed");
            await().atMost(Duration.ofSeconds(5)).until(lease::forcedToStop);
            lease.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> quick.index(false).contains(
                    new ModelIndexEntry("mmed", "1", "UNAVAILABLE", "unloaded")));
        } finally {
            quick.close();
        }
    }
}
