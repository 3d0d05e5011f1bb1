package io.mmedstream.modelserver.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import io.mmedstream.modelserver.domain.ModelIndexEntry;
import io.mmedstream.modelserver.engine.LoadedCheckpoint;
import io.mmedstream.modelserver.service.ModelServerException.Reason;

import io.quarkus.logging.Log;

/**
 * Triton's explicit model control ({@code --model-control-mode=explicit}) over a {@link ModelRepository}: a model
 * serves only after {@link #load}, and stops on {@link #unload}.
 *
 * <ul>
 * <li>Load reads the configuration (or the request's override), picks versions by the version policy and loads each
 *     version's checkpoint; on a model already loaded it is a reload: versions whose checkpoint and settings did not
 *     change are kept as they are (their requests never notice), the others are loaded anew, and only when every new
 *     version has loaded are they swapped in. A failed load leaves what was serving untouched.</li>
 * <li>Versions that leave service (unload, or a reload without them) take no new requests at once, finish the
 *     requests they have, then free their memory, in the background. Unload returns immediately, as Triton's does.</li>
 * <li>Requests {@link #lease} a version; with no version named they get the highest loaded one.</li>
 * </ul>
 * Loads of one model are serialised; different models load concurrently. Thread-safe.
 */
public final class ModelManager implements AutoCloseable {

    /** Turns a checkpoint directory into a loaded checkpoint (the engine; tests count or fail loads). */
    @FunctionalInterface
    public interface CheckpointLoader {
        LoadedCheckpoint load(Path checkpointDir, ModelConfiguration configuration);
    }

    private static final String UNLOADED = "unloaded";

    private final ModelRepository repository;
    private final CheckpointLoader loader;
    private final Duration drainTimeout;
    private final ConcurrentHashMap<String, ModelRecord> models = new ConcurrentHashMap<>();
    private final ExecutorService retirements = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-retire");
        t.setDaemon(true);
        return t;
    });

    /** Everything known about one model. */
    private static final class ModelRecord {
        final ReentrantLock lock = new ReentrantLock();
        volatile NavigableMap<Long, ServedVersion> serving = Collections.emptyNavigableMap();
        final Map<Long, String[]> status = new ConcurrentSkipListMap<>(); // version -> {state, reason}
        volatile String failure; // a load that failed before any version was chosen
    }

    /**
     * @param drainTimeout how long a leaving version waits for its requests before cancelling them
     */
    public ModelManager(ModelRepository repository, CheckpointLoader loader, Duration drainTimeout) {
        this.repository = repository;
        this.loader = loader;
        this.drainTimeout = drainTimeout;
    }

    public ModelRepository repository() {
        return repository;
    }

    /**
     * Loads or reloads a model; returns when its versions serve, throws when the load fails.
     *
     * @param configJson a JSON model configuration replacing config.pbtxt for this load, or null
     */
    public void load(String name, String configJson) {
        if (!repository.contains(name)) {
            throw new ModelServerException(Reason.MODEL_NOT_FOUND,
                    "failed to load '" + name + "': no such model in the repository " + repository.root());
        }
        ModelRecord rec = models.computeIfAbsent(name, n -> new ModelRecord());
        rec.lock.lock();
        try {
            ModelRepository.ModelDefinition def;
            try {
                def = repository.define(name, configJson);
            } catch (ModelServerException e) {
                if (rec.serving.isEmpty()) {
                    rec.failure = e.getMessage();
                }
                throw e;
            }
            NavigableMap<Long, ServedVersion> old = rec.serving;
            TreeMap<Long, ServedVersion> next = new TreeMap<>();
            List<ServedVersion> created = new ArrayList<>();
            try {
                for (Map.Entry<Long, Path> e : def.checkpoints().entrySet()) {
                    long v = e.getKey();
                    String fingerprint = fingerprint(e.getValue(), def.configuration());
                    ServedVersion current = old.get(v);
                    if (current != null && current.fingerprint().equals(fingerprint)) {
                        next.put(v, current);
                        continue;
                    }
                    if (current == null) {
                        rec.status.put(v, new String[] {ModelIndexEntry.LOADING, ""});
                    }
                    long started = System.nanoTime();
                    LoadedCheckpoint checkpoint = loader.load(e.getValue(), def.configuration());
                    ServedVersion sv = new ServedVersion(name, v, def.configuration(), checkpoint, fingerprint);
                    created.add(sv);
                    next.put(v, sv);
                    Log.infof("model %s version %d: loaded %s in %d ms (%,d parameters, context %d)", name, v,
                            e.getValue(), (System.nanoTime() - started) / 1_000_000,
                            checkpoint.generator().model().parameterCount(), checkpoint.generator().maxContext());
                }
            } catch (RuntimeException e) {
                for (ServedVersion sv : created) {
                    retireLater(rec, sv);
                }
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                for (Long v : def.checkpoints().keySet()) {
                    if (!old.containsKey(v)) {
                        rec.status.put(v, new String[] {ModelIndexEntry.UNAVAILABLE, reason});
                    }
                }
                Log.warnf("model %s: load failed, %s", name, reason);
                if (e instanceof ModelServerException mse) {
                    throw mse;
                }
                throw ModelServerException.badModel("failed to load '" + name + "': " + reason, e);
            }
            rec.serving = Collections.unmodifiableNavigableMap(next);
            rec.failure = null;
            for (Long v : next.keySet()) {
                rec.status.put(v, new String[] {ModelIndexEntry.READY, ""});
            }
            for (ServedVersion sv : old.values()) {
                if (next.get(sv.version()) != sv) {
                    if (!next.containsKey(sv.version())) {
                        rec.status.put(sv.version(), new String[] {ModelIndexEntry.UNLOADING, ""});
                    }
                    retireLater(rec, sv);
                }
            }
            Log.infof("model %s: serving versions %s", name, next.keySet());
        } finally {
            rec.lock.unlock();
        }
    }

    /** Takes a model out of service; its requests finish in the background. A model not loaded is left as is. */
    public void unload(String name) {
        ModelRecord rec = models.get(name);
        if (rec == null) {
            return;
        }
        rec.lock.lock();
        try {
            NavigableMap<Long, ServedVersion> old = rec.serving;
            rec.serving = Collections.emptyNavigableMap();
            for (ServedVersion sv : old.values()) {
                rec.status.put(sv.version(), new String[] {ModelIndexEntry.UNLOADING, ""});
                retireLater(rec, sv);
            }
            if (!old.isEmpty()) {
                Log.infof("model %s: unloading versions %s", name, old.keySet());
            }
        } finally {
            rec.lock.unlock();
        }
    }

    private void retireLater(ModelRecord rec, ServedVersion sv) {
        retirements.execute(() -> {
            try {
                sv.retire(drainTimeout);
                if (!rec.serving.containsKey(sv.version())) {
                    rec.status.put(sv.version(), new String[] {ModelIndexEntry.UNAVAILABLE, UNLOADED});
                }
                Log.infof("model %s version %d: unloaded", sv.model(), sv.version());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                Log.errorf(e, "model %s version %d: freeing it failed", sv.model(), sv.version());
            }
        });
    }

    /**
     * A hold on the version a request should run on; close it when the request ends.
     *
     * @param version a version number, or empty for the highest loaded one
     */
    public ServedVersion.Lease lease(String name, String version) {
        for (int attempt = 0; attempt < 3; attempt++) {
            ServedVersion sv = servingVersion(name, version);
            ServedVersion.Lease lease = sv.tryLease();
            if (lease != null) {
                return lease;
            }
            // Retired between the look-up and the lease: a reload swapped it; look again.
        }
        throw notReady(name, version);
    }

    /** Whether the model (that version, or any version when empty) is loaded and takes requests. */
    public boolean isReady(String name, String version) {
        try {
            servingVersion(name, version);
            return true;
        } catch (ModelServerException e) {
            if (e.reason() == Reason.INVALID_INPUT) {
                throw e;
            }
            return false;
        }
    }

    /** The serving version a request names (or the highest); throws NOT_FOUND, NOT_READY or INVALID_INPUT. */
    public ServedVersion servingVersion(String name, String version) {
        ModelRecord rec = models.get(name);
        if (rec == null && !repository.contains(name)) {
            throw new ModelServerException(Reason.MODEL_NOT_FOUND,
                    "Request for unknown model: '" + name + "' is not found");
        }
        NavigableMap<Long, ServedVersion> serving = rec == null ? Collections.emptyNavigableMap() : rec.serving;
        ServedVersion sv;
        if (version == null || version.isEmpty()) {
            Map.Entry<Long, ServedVersion> highest = serving.lastEntry();
            sv = highest == null ? null : highest.getValue();
        } else {
            sv = serving.get(parseVersion(version));
        }
        if (sv == null) {
            throw notReady(name, version);
        }
        return sv;
    }

    /** Loaded version numbers of a model, ascending (empty when not loaded). */
    public SortedSet<Long> servingVersions(String name) {
        ModelRecord rec = models.get(name);
        return rec == null ? new TreeSet<>() : new TreeSet<>(rec.serving.keySet());
    }

    /** Every model of the repository (and any loaded model whose folder has gone), with each version's state. */
    public List<ModelIndexEntry> index(boolean readyOnly) {
        TreeSet<String> names = new TreeSet<>(repository.modelNames());
        names.addAll(models.keySet());
        List<ModelIndexEntry> out = new ArrayList<>();
        for (String name : names) {
            ModelRecord rec = models.get(name);
            if (rec == null || (rec.status.isEmpty() && rec.failure == null)) {
                if (!readyOnly) {
                    out.add(new ModelIndexEntry(name, "", "", ""));
                }
                continue;
            }
            if (rec.status.isEmpty()) {
                if (!readyOnly) {
                    out.add(new ModelIndexEntry(name, "", ModelIndexEntry.UNAVAILABLE, rec.failure));
                }
                continue;
            }
            rec.status.forEach((v, s) -> {
                if (!readyOnly || s[0].equals(ModelIndexEntry.READY)) {
                    out.add(new ModelIndexEntry(name, Long.toString(v), s[0], s[1]));
                }
            });
        }
        return out;
    }

    /** Unloads everything and waits (up to the drain timeout and a little more) for the memory to be freed. */
    @Override
    public void close() {
        for (String name : List.copyOf(models.keySet())) {
            unload(name);
        }
        retirements.shutdown();
        try {
            if (!retirements.awaitTermination(drainTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                Log.warnf("models still draining at shutdown after %s", drainTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long parseVersion(String version) {
        try {
            long v = Long.parseLong(version);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ModelServerException.invalid("model version '" + version + "' is not a positive whole number");
    }

    private static ModelServerException notReady(String name, String version) {
        String which = version == null || version.isEmpty() ? "'" + name + "'" : "'" + name + "' version " + version;
        return new ModelServerException(Reason.MODEL_NOT_READY, "model " + which
                + " is not ready (load it with RepositoryModelLoad)");
    }

    /**
     * Identity of what a version would load: the checkpoint directory, the settings that shape the loaded model,
     * and the size and modification time of the checkpoint's files (a checkpoint replaced in place reloads).
     */
    static String fingerprint(Path dir, ModelConfiguration configuration) {
        StringBuilder out = new StringBuilder(dir.toAbsolutePath().normalize().toString())
                .append('|').append(configuration.maxContext()).append('|').append(configuration.decoupled());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.append('|').append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                        .append(Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            out.append("|unreadable");
        }
        return out.toString();
    }
}
