package io.mmedstream.inference.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.mmedstream.inference.domain.ServingModel;

class ModelRouterTest {

    /** Records the control calls; a version is ready once a load named it, until a load without it. */
    static final class FakeBackend implements ModelBackend {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final Set<String> ready = Collections.synchronizedSet(new HashSet<>());
        volatile boolean failLoads;

        @Override
        public void load(String model, String configJson) {
            calls.add("load " + model + " " + configJson.replaceAll(".*\"versions\":(\\[[^]]*]).*", "$1"));
            if (failLoads) {
                throw new IllegalStateException("load failed");
            }
            ready.removeIf(v -> v.startsWith(model + "/"));
            String versions = configJson.replaceAll(".*\"versions\":\\[([^]]*)].*", "$1");
            for (String v : versions.split(",")) {
                ready.add(model + "/" + v);
            }
        }

        @Override
        public boolean ready(String model, String version) {
            return ready.contains(model + "/" + version);
        }

        @Override
        public void unload(String model) {
            calls.add("unload " + model);
            ready.removeIf(v -> v.startsWith(model + "/"));
        }
    }

    private final FakeBackend backend = new FakeBackend();
    private final ModelRouter router = new ModelRouter(backend, "vllm", Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMillis(5), Clock.systemUTC());

    @Test
    void noModelMeansNoModelReason() {
        assertThatThrownBy(router::lease).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.reason()).isEqualTo(InferenceException.Reason.NO_MODEL));
        assertThat(router.serving()).isEmpty();
    }

    @Test
    void firstPromotionLoadsOnlyTheNewVersion() {
        router.promote("mmed", "1");
        assertThat(backend.calls).containsExactly("load mmed [1]");
        try (ModelRouter.Lease lease = router.lease()) {
            assertThat(lease.model()).isEqualTo(ServingModel.of("mmed", "1"));
        }
    }

    @Test
    void promotionLoadsBothVersionsMovesNewRequestsAndUnloadsTheOldOneOnlyAfterItsRequestsFinish() throws Exception {
        router.promote("mmed", "1");
        ModelRouter.Lease inFlight = router.lease();
        CompletableFuture<ServingModel> promotion = CompletableFuture.supplyAsync(() -> router.promote("mmed", "2"));
        await().until(() -> router.serving().map(s -> s.model().version().equals("2")).orElse(false));
        try (ModelRouter.Lease next = router.lease()) {
            assertThat(next.model().version()).isEqualTo("2");
        }
        // The old version stays loaded while a request runs on it.
        assertThat(promotion).isNotDone();
        assertThat(backend.calls).containsExactly("load mmed [1]", "load mmed [1,2]");
        assertThat(backend.ready("mmed", "1")).isTrue();
        inFlight.close();
        assertThat(promotion.get()).isEqualTo(ServingModel.of("mmed", "2"));
        assertThat(backend.calls).containsExactly("load mmed [1]", "load mmed [1,2]", "load mmed [2]");
        assertThat(backend.ready("mmed", "1")).isFalse();
    }

    @Test
    void promotionToAnotherModelUnloadsTheOldModel() {
        router.promote("mmed", "3");
        router.promote("other", "1");
        assertThat(backend.calls).containsExactly("load mmed [3]", "load other [1]", "unload mmed");
        assertThat(router.serving().orElseThrow().model()).isEqualTo(ServingModel.of("other", "1"));
    }

    @Test
    void failedLoadKeepsTheOldVersionServing() {
        router.promote("mmed", "1");
        backend.failLoads = true;
        assertThatThrownBy(() -> router.promote("mmed", "2")).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.reason()).isEqualTo(InferenceException.Reason.PROMOTION_FAILED));
        try (ModelRouter.Lease lease = router.lease()) {
            assertThat(lease.model().version()).isEqualTo("1");
        }
    }

    @Test
    void promotingTheServingVersionDoesNothing() {
        router.promote("mmed", "1");
        router.promote("mmed", "1");
        assertThat(backend.calls).containsExactly("load mmed [1]");
    }

    @Test
    void badVersionIsRejected() {
        assertThatThrownBy(() -> router.promote("mmed", "01")).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.getMessage()).startsWith("version:"));
        assertThatThrownBy(() -> router.promote("mmed", "x")).isInstanceOf(InferenceException.class);
    }

    @Test
    void closingALeaseTwiceCountsOnce() throws Exception {
        router.promote("mmed", "1");
        ModelRouter.Lease a = router.lease();
        ModelRouter.Lease b = router.lease();
        a.close();
        a.close();
        CompletableFuture<ServingModel> promotion = CompletableFuture.supplyAsync(() -> router.promote("mmed", "2"));
        await().until(() -> router.serving().map(s -> s.model().version().equals("2")).orElse(false));
        assertThat(promotion).isNotDone();
        b.close();
        promotion.get();
    }
}
