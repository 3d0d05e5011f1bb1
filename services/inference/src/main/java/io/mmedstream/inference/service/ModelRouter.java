package io.mmedstream.inference.service;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jboss.logging.Logger;

import io.mmedstream.inference.domain.ServingModel;

/**
 * Holds the model version that serves requests, and switches it without failing a request.
 *
 * <p>Requests take a {@link Lease} on the current version and close it when done. {@link #promote} switches:
 * <ol>
 *   <li>loads the new version with Triton's explicit model control: for the same model name, a reload whose
 *   {@code version_policy} is {@code specific} with the old and the new version (a reload keeps the old version
 *   and its running requests untouched); for another model name, a load of that model with only the new version;</li>
 *   <li>waits until ModelReady says the new version is ready;</li>
 *   <li>moves new leases to it: from then on no request starts on the old version;</li>
 *   <li>waits until the leases on the old version are closed (at most the drain timeout);</li>
 *   <li>unloads the old version: a reload with only the new version, or an unload of the old model.</li>
 * </ol>
 * If steps 1-2 fail, the old version keeps serving (a same-model reload is reverted to the old version, best
 * effort) and the promotion fails with {@link InferenceException.Reason#PROMOTION_FAILED}. Promotions run one at a
 * time; leases never wait for a promotion.
 */
public final class ModelRouter {

    // JBoss Logging rather than io.quarkus.logging.Log: this class also runs outside Quarkus (the plain-Java tools
    // in io.mmedstream.inference.tools), where Log refuses to work.
    private static final Logger LOG = Logger.getLogger(ModelRouter.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelBackend backend;
    private final String backendName;
    private final Duration readyTimeout;
    private final Duration drainTimeout;
    private final Duration readyPoll;
    private final Clock clock;
    private final Object promotions = new Object();
    private volatile Route current;

    public ModelRouter(ModelBackend backend, String backendName, Duration readyTimeout, Duration drainTimeout,
                       Duration readyPoll, Clock clock) {
        this.backend = backend;
        this.backendName = backendName;
        this.readyTimeout = readyTimeout;
        this.drainTimeout = drainTimeout;
        this.readyPoll = readyPoll;
        this.clock = clock;
    }

    /** A request's hold on one model version; close it exactly when the request is done (idempotent). */
    public static final class Lease implements AutoCloseable {
        private final Route route;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(Route route) {
            this.route = route;
        }

        public ServingModel model() {
            return route.serving.model();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                route.exit();
            }
        }
    }

    /** One version's routing state: its leases, and whether new ones may still be taken. */
    private static final class Route {
        /** Replaced only to add what is known about the same version (checkpoint, evaluation). */
        volatile ServingModel.Serving serving;
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        private int inFlight;
        private boolean retired;

        Route(ServingModel.Serving serving) {
            this.serving = serving;
        }

        synchronized boolean enter() {
            if (retired) {
                return false;
            }
            inFlight++;
            return true;
        }

        synchronized void exit() {
            inFlight--;
            if (retired && inFlight == 0) {
                drained.complete(null);
            }
        }

        synchronized int retire() {
            retired = true;
            if (inFlight == 0) {
                drained.complete(null);
            }
            return inFlight;
        }
    }

    /** A lease on the serving version; UNAVAILABLE ({@link InferenceException.Reason#NO_MODEL}) when none serves. */
    public Lease lease() {
        Route route = current;
        while (route != null) {
            if (route.enter()) {
                return new Lease(route);
            }
            // Retired between the read and enter(): a promotion has already published the next route.
            Route next = current;
            if (next == route) {
                break;
            }
            route = next;
        }
        throw new InferenceException(InferenceException.Reason.NO_MODEL, "no model is ready to serve");
    }

    /** The serving version and since when, if any. */
    public Optional<ServingModel.Serving> serving() {
        Route route = current;
        return route == null ? Optional.empty() : Optional.of(route.serving);
    }

    /**
     * Serves a version the backend already has ready (at start-up), without loading anything, unless a version
     * already serves (a promotion got there first: it is newer knowledge than what the backend happens to hold).
     *
     * @return whether {@code model} now serves because of this call
     * @throws InferenceException NO_MODEL when the backend does not report it ready
     */
    public boolean adopt(ServingModel model) {
        synchronized (promotions) {
            if (current != null) {
                LOG.infof("not adopting %s: %s already serves", model, current.serving.model());
                return false;
            }
            if (!backend.ready(model.name(), model.version())) {
                throw new InferenceException(InferenceException.Reason.NO_MODEL, model + " is not ready");
            }
            current = new Route(new ServingModel.Serving(model, clock.instant()));
            LOG.infof("serving %s (adopted)", model);
            return true;
        }
    }

    /**
     * {@link #promote(ServingModel)} only when no version serves yet (the start-up's configured initial version must
     * not undo a promotion that arrived first).
     *
     * @return whether a promotion ran
     */
    public boolean promoteIfIdle(ServingModel target) {
        synchronized (promotions) {
            if (current != null) {
                LOG.infof("not promoting %s at start-up: %s already serves", target, current.serving.model());
                return false;
            }
            promote(target);
            return true;
        }
    }

    /** {@link #promote(ServingModel)} of a version with nothing else known about it. */
    public ServingModel promote(String modelName, String version) {
        return promote(ServingModel.of(modelName, version));
    }

    /**
     * Switches requests to {@code target} (see the class comment); returns once the old version is unloaded, or
     * at once when {@code target} already serves.
     */
    public ServingModel promote(ServingModel target) {
        if (target.name().isBlank()) {
            throw InferenceException.invalid("model", "must not be empty");
        }
        long newVersion = parseVersion(target.version());
        synchronized (promotions) {
            Route old = current;
            if (old != null && old.serving.model().sameVersionAs(target)) {
                boolean knowsMore = !target.checkpointId().isEmpty() || target.evaluation().isPresent();
                if (knowsMore && !old.serving.model().equals(target)) {
                    // Same version, more known about it (e.g. adopted at start-up, then its ModelPromoted read).
                    old.serving = new ServingModel.Serving(target, old.serving.since());
                    LOG.infof("promotion of %s: already serving; checkpoint and evaluation updated", target);
                } else {
                    LOG.infof("promotion of %s: already serving", target);
                }
                return target;
            }
            ServingModel oldModel = old == null ? null : old.serving.model();
            boolean sameModel = oldModel != null && oldModel.name().equals(target.name());
            LOG.infof("promotion of %s: loading (serving %s)", target, oldModel == null ? "nothing" : oldModel);
            try {
                backend.load(target.name(), sameModel
                        ? versionsConfig(parseVersion(oldModel.version()), newVersion)
                        : versionsConfig(newVersion));
                awaitReady(target);
            } catch (RuntimeException e) {
                if (sameModel) {
                    revert(oldModel);
                }
                throw new InferenceException(InferenceException.Reason.PROMOTION_FAILED,
                        "could not load " + target + ": " + e.getMessage(), null, e);
            }
            current = new Route(new ServingModel.Serving(target, clock.instant()));
            LOG.infof("promotion of %s: new requests go to it", target);
            if (old == null) {
                return target;
            }
            int running = old.retire();
            LOG.infof("promotion of %s: waiting for %d request(s) on %s", target, running, oldModel);
            try {
                old.drained.get(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.warnf("promotion of %s: requests on %s still running after %s; unloading it anyway (the backend"
                        + " lets them finish or cancels them)", target, oldModel, drainTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warnf("promotion of %s: interrupted while draining %s; it stays loaded", target, oldModel);
                return target;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e); // drained is only ever completed normally
            }
            try {
                if (sameModel) {
                    backend.load(target.name(), versionsConfig(newVersion));
                } else {
                    backend.unload(oldModel.name());
                }
                LOG.infof("promotion of %s: unloaded %s", target, oldModel);
            } catch (RuntimeException e) {
                // The switch itself succeeded; a version left loaded costs memory, not requests.
                LOG.warnf("promotion of %s: could not unload %s: %s", target, oldModel, e.getMessage());
            }
            return target;
        }
    }

    private void awaitReady(ServingModel target) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (!backend.ready(target.name(), target.version())) {
            if (System.nanoTime() > deadline) {
                throw new InferenceException(InferenceException.Reason.NO_MODEL,
                        target + " not ready after " + readyTimeout);
            }
            try {
                Thread.sleep(readyPoll.toMillis()); // polling the backend's ModelReady, not a test wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InferenceException(InferenceException.Reason.NO_MODEL, "interrupted waiting for " + target);
            }
        }
    }

    private void revert(ServingModel oldModel) {
        try {
            backend.load(oldModel.name(), versionsConfig(parseVersion(oldModel.version())));
        } catch (RuntimeException e) {
            LOG.warnf("could not revert %s to its serving version only: %s", oldModel.name(), e.getMessage());
        }
    }

    /** The load configuration serving exactly these versions. */
    String versionsConfig(long... versions) {
        ObjectNode config = JSON.createObjectNode();
        config.put("backend", backendName);
        config.put("max_batch_size", 0);
        config.putObject("model_transaction_policy").put("decoupled", true);
        ArrayNode list = config.putObject("version_policy").putObject("specific").putArray("versions");
        TreeSet<Long> sorted = new TreeSet<>();
        for (long v : versions) {
            sorted.add(v);
        }
        sorted.forEach(list::add);
        return config.toString();
    }

    private static long parseVersion(String version) {
        try {
            long v = Long.parseLong(version);
            if (v > 0 && version.equals(Long.toString(v))) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw InferenceException.invalid("version", "must be a positive number without leading zeros, was \""
                + version + "\"");
    }
}
