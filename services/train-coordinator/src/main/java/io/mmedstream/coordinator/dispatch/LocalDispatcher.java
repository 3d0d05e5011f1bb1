package io.mmedstream.coordinator.dispatch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.Failure;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.domain.RoundPlan;
import io.mmedstream.coordinator.service.AttemptOutcome;
import io.mmedstream.coordinator.service.FileUris;
import io.mmedstream.coordinator.service.AttemptOutcome.ExitCodes;
import io.mmedstream.coordinator.service.TrainerEvent;
import io.quarkus.logging.Log;

/**
 * Runs each attempt as a child process on this machine: {@code python -m mmed_trainer ...} from the trainer's folder
 * (the embedded default). The trainer's stdout (JSON progress lines) is read line by line and streamed to the
 * listener; its stderr goes to a file beside the round's manifest.
 *
 * <p>Per round, under the work directory: {@code <round>/round.json} (the manifest), {@code model-config.json} (a
 * fresh model's config), {@code attempt-<n>.progress.jsonl} and {@code attempt-<n>.stderr.log} (what each attempt
 * printed), and {@code trainer.pid}. Checkpoints go to {@code <checkpoints dir>/<round>/}.
 *
 * <p>A restart of the coordinator leaves a running trainer behind (the JVM does not kill its children): on resume
 * the process named by {@code trainer.pid} is stopped (SIGTERM: it checkpoints and exits) before the attempt starts
 * again with {@code --resume}, so that two trainers never write one round's checkpoints.
 */
public final class LocalDispatcher implements Dispatcher {

    /** Name of this dispatcher in round records. */
    public static final String NAME = "local";

    static final String MANIFEST = "round.json";
    static final String MODEL_CONFIG = "model-config.json";
    static final String PID_FILE = "trainer.pid";
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("checkpoint-(\\d+)");
    private static final int STDERR_TAIL_BYTES = 4096;

    /**
     * The dispatcher's settings.
     *
     * @param command the launcher to run instead of {@code <python> -m mmed_trainer} (the trainer's arguments
     *        follow it); empty for the trainer
     * @param trainerDir the trainer's folder, put on PYTHONPATH (services/trainer)
     * @param workDir where round manifests and logs are written
     * @param checkpointsDir where rounds write their checkpoints
     * @param threads CPU threads of the trainer, when set
     * @param tokenizerDir tokenizer files to copy into checkpoints, when set
     * @param stopGrace how long a stopped trainer may take to checkpoint before it is killed
     */
    public record Settings(List<String> command, Path trainerDir, Path workDir, Path checkpointsDir,
            Optional<Integer> threads, Optional<Path> tokenizerDir, Duration stopGrace) {

        public Settings {
            command = List.copyOf(command);
            trainerDir = trainerDir.toAbsolutePath().normalize();
            workDir = workDir.toAbsolutePath().normalize();
            checkpointsDir = checkpointsDir.toAbsolutePath().normalize();
        }
    }

    private final Settings settings;
    private final PythonLocator python;
    private final Map<String, LocalExecution> executions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trainer-killer");
        t.setDaemon(true);
        return t;
    });

    public LocalDispatcher(Settings settings, PythonLocator python) {
        this.settings = settings;
        this.python = python;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int worldSize() {
        return 1;
    }

    @Override
    public String outputUri(String roundId) {
        return FileUris.of(settings.checkpointsDir().resolve(roundId));
    }

    @Override
    public String executionHandle(Round round, int attempt) {
        return FileUris.of(roundDir(round.id()));
    }

    private Path roundDir(String roundId) {
        return settings.workDir().resolve(roundId);
    }

    @Override
    public Execution start(Round round, ExecutionListener listener) {
        LocalExecution existing = executions.get(round.id());
        if (existing != null && existing.attempt == round.attempt()) {
            existing.follow(listener);
            return existing;
        }
        return launch(round, listener);
    }

    @Override
    public Execution resume(Round round, ExecutionListener listener) {
        return start(round, listener);
    }

    @Override
    public void cleanUp(Round round) {
        LocalExecution existing = executions.get(round.id());
        if (existing != null && !existing.finished()) {
            existing.stop(new Failure("cancelled", "round " + round.id() + " is " + round.status(), false));
        }
        stopOrphan(round.id());
    }

    private LocalExecution launch(Round round, ExecutionListener listener) {
        RoundPlan plan = round.plan();
        Path dir = roundDir(round.id());
        Path output = settings.checkpointsDir().resolve(round.id());
        List<String> command = new ArrayList<>();
        try {
            if (settings.command().isEmpty()) {
                Path module = settings.trainerDir().resolve(TrainerCommand.MODULE);
                if (!Files.isDirectory(module)) {
                    throw new CoordinatorException(CoordinatorException.Reason.DISPATCH_PERMANENT,
                            "the trainer is not at " + module + " (set mmed.coordinator.local.trainer-dir)");
                }
                command.addAll(List.of(python.python(), "-m", TrainerCommand.MODULE));
            } else {
                command.addAll(settings.command());
            }
            Files.createDirectories(dir);
            Files.createDirectories(output);
            stopOrphan(round.id());
            Path manifest = dir.resolve(MANIFEST);
            writeAtomically(manifest, RoundManifests.json(plan, uri -> FileUris.toPath(uri).toString()));
            String config = null;
            if (plan.modelConfig() != null) {
                Path configFile = dir.resolve(MODEL_CONFIG);
                writeAtomically(configFile, plan.modelConfig().getBytes(StandardCharsets.UTF_8));
                config = configFile.toString();
            }
            String init = plan.parentCheckpointUri() == null ? null
                    : FileUris.toPath(plan.parentCheckpointUri()).toString();
            command.addAll(TrainerCommand.args(plan, manifest.toString(), output.toString(), init, config,
                    settings.tokenizerDir().map(Path::toString).orElse(null)));
            settings.threads().ifPresent(n -> command.addAll(List.of("--threads", String.valueOf(n))));
        } catch (IOException e) {
            throw new CoordinatorException(CoordinatorException.Reason.DISPATCH_RETRIABLE,
                    "cannot prepare " + dir + ": " + e, e);
        }
        int attempt = round.attempt();
        Path stderr = dir.resolve("attempt-" + attempt + ".stderr.log");
        Path progress = dir.resolve("attempt-" + attempt + ".progress.jsonl");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        Map<String, String> env = builder.environment();
        String pythonPath = env.get("PYTHONPATH");
        env.put("PYTHONPATH", settings.trainerDir() + (pythonPath == null || pythonPath.isBlank() ? ""
                : java.io.File.pathSeparator + pythonPath));
        env.put("PYTHONUNBUFFERED", "1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CoordinatorException(CoordinatorException.Reason.DISPATCH_RETRIABLE,
                    "cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            writeAtomically(dir.resolve(PID_FILE), (process.pid() + "\n" + attempt + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            Log.warnf("round %s: cannot write %s: %s; a trainer left behind by a crash would not be found",
                    round.id(), dir.resolve(PID_FILE), e);
        }
        Log.infof("round %s attempt %d: started trainer pid %d: %s", round.id(), attempt, process.pid(),
                String.join(" ", command));
        LocalExecution execution = new LocalExecution(round.id(), attempt, process, output, stderr, progress,
                listener);
        executions.put(round.id(), execution);
        Thread reader = new Thread(execution::follow, "trainer-" + round.id() + "-a" + attempt);
        reader.setDaemon(true);
        reader.start();
        return execution;
    }

    /** Stops a trainer of this round that a previous coordinator process left running. */
    private void stopOrphan(String roundId) {
        Path pidFile = roundDir(roundId).resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        LocalExecution own = executions.get(roundId);
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.US_ASCII).get(0).trim());
        } catch (IOException | RuntimeException e) {
            Log.warnf("round %s: unreadable %s (%s); not looking for a trainer left behind", roundId, pidFile, e);
            return;
        }
        if (own != null && own.process.pid() == pid && !own.process.isAlive()) {
            return;
        }
        String manifest = roundDir(roundId).resolve(MANIFEST).toString();
        Optional<ProcessHandle> orphan = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(manifest)).orElse(false));
        if (orphan.isEmpty()) {
            return;
        }
        Log.warnf("round %s: trainer pid %d is still running from before; stopping it (it checkpoints) before the "
                + "attempt continues", roundId, pid);
        ProcessHandle handle = orphan.get();
        handle.destroy();
        try {
            handle.onExit().get(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Log.warnf("round %s: trainer pid %d did not stop within %s; killing it", roundId, pid,
                    settings.stopGrace());
            handle.descendants().forEach(ProcessHandle::destroyForcibly);
            handle.destroyForcibly();
            handle.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinatorException(CoordinatorException.Reason.DISPATCH_RETRIABLE, "interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        List<LocalExecution> running = executions.values().stream().filter(e -> !e.finished()).toList();
        for (LocalExecution execution : running) {
            execution.stop(new Failure("shutdown", "the coordinator is stopping", true));
        }
        for (LocalExecution execution : running) {
            try {
                execution.process.onExit().get(settings.stopGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                Log.warnf("round %s: trainer pid %d still running at shutdown", execution.roundId,
                        execution.process.pid());
            }
        }
        killer.shutdownNow();
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One trainer process and the thread that reads it. */
    private final class LocalExecution implements Execution {

        private final String roundId;
        private final int attempt;
        private final Process process;
        private final Path output;
        private final Path stderr;
        private final Path progressFile;
        private final Instant launchedAt = Instant.now();
        private volatile ExecutionListener listener;
        private volatile Failure stopReason;
        private volatile AttemptOutcome outcome;
        private TrainerEvent.Done done;
        private TrainerEvent.Error error;
        private TrainerEvent.Checkpoint lastCheckpoint;

        LocalExecution(String roundId, int attempt, Process process, Path output, Path stderr, Path progressFile,
                ExecutionListener listener) {
            this.roundId = roundId;
            this.attempt = attempt;
            this.process = process;
            this.output = output;
            this.stderr = stderr;
            this.progressFile = progressFile;
            this.listener = listener;
        }

        @Override
        public String roundId() {
            return roundId;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public boolean finished() {
            return outcome != null;
        }

        @Override
        public Optional<Instant> activeSince() {
            return process.info().startInstant().or(() -> Optional.of(launchedAt));
        }

        /** Follows this execution with another listener (after a coordinator session restarted). */
        void follow(ExecutionListener next) {
            listener = next;
            AttemptOutcome known = outcome;
            if (known != null) {
                next.ended(roundId, attempt, known); // ended while no session listened: deliver again
            }
        }

        @Override
        public synchronized void stop(Failure reason) {
            if (stopReason != null || finished()) {
                return;
            }
            stopReason = reason;
            Log.infof("round %s attempt %d: stopping trainer pid %d (%s: %s)", roundId, attempt, process.pid(),
                    reason.reason(), reason.message());
            process.destroy(); // SIGTERM: the trainer finishes its step, checkpoints and exits 75
            killer.schedule(() -> {
                if (process.isAlive()) {
                    Log.warnf("round %s attempt %d: trainer pid %d did not stop within %s; killing it", roundId,
                            attempt, process.pid(), settings.stopGrace());
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }, settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Reads the trainer's stdout to the end, then reports the outcome. Runs on its own thread. */
        void follow() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                    Writer copy = Files.newBufferedWriter(progressFile, StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    copy.write(line);
                    copy.write('\n');
                    copy.flush();
                    Optional<TrainerEvent> parsed = TrainerEvent.parse(line);
                    if (parsed.isEmpty()) {
                        Log.debugf("round %s attempt %d: trainer printed: %s", roundId, attempt, line);
                        continue;
                    }
                    TrainerEvent event = mapPaths(parsed.get());
                    if (event instanceof TrainerEvent.Done d) {
                        done = d;
                    } else if (event instanceof TrainerEvent.Error e) {
                        error = e;
                    } else if (event instanceof TrainerEvent.Checkpoint c) {
                        lastCheckpoint = c;
                    }
                    listener.progress(roundId, attempt, event);
                }
            } catch (IOException e) {
                Log.warnf("round %s attempt %d: lost the trainer's output: %s", roundId, attempt, e);
            }
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            AttemptOutcome result = outcome(code);
            outcome = result;
            Log.infof("round %s attempt %d: trainer pid %d exited with %d: %s", roundId, attempt, process.pid(), code,
                    result);
            listener.ended(roundId, attempt, result);
        }

        private TrainerEvent mapPaths(TrainerEvent event) {
            if (event instanceof TrainerEvent.Checkpoint c && c.path() != null) {
                return c.withPath(FileUris.of(Path.of(c.path())));
            }
            if (event instanceof TrainerEvent.Done d && d.checkpoint() != null) {
                return d.withCheckpoint(FileUris.of(Path.of(d.checkpoint())));
            }
            return event;
        }

        private AttemptOutcome outcome(int code) {
            if (code == ExitCodes.OK) {
                if (done != null && done.checkpoint() != null) {
                    return new AttemptOutcome.Succeeded(done.checkpoint(), done.step(), done.firstLoss(),
                            done.finalLoss(), done.tokensSeen(), done.tokensPerLang());
                }
                Optional<Path> newest = newestCheckpoint();
                if (newest.isPresent()) {
                    int step = stepOf(newest.get());
                    return new AttemptOutcome.Succeeded(FileUris.of(newest.get()), step, null, null,
                            lastCheckpoint != null ? lastCheckpoint.tokensSeen() : 0,
                            lastCheckpoint != null ? lastCheckpoint.tokensPerLang() : Map.of());
                }
                return new AttemptOutcome.Failed(new Failure(Failure.NO_CHECKPOINT, "the trainer exited 0 but "
                        + output + " holds no checkpoint", false));
            }
            Failure stopped = stopReason;
            if (stopped != null) {
                return new AttemptOutcome.Failed(stopped);
            }
            boolean retriable = ExitCodes.retriable(code);
            if (error != null) {
                return new AttemptOutcome.Failed(new Failure(error.reason(), error.message(), retriable));
            }
            String signal = code > 128 ? " (signal " + (code - 128) + ")" : "";
            return new AttemptOutcome.Failed(new Failure("exit_" + code, "the trainer exited with " + code + signal
                    + "; the end of its stderr: " + stderrTail(), retriable));
        }

        private Optional<Path> newestCheckpoint() {
            Path best = null;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(output)) {
                for (Path entry : entries) {
                    if (Files.isDirectory(entry) && CHECKPOINT_DIR.matcher(entry.getFileName().toString()).matches()
                            && (best == null || stepOf(entry) > stepOf(best))) {
                        best = entry;
                    }
                }
            } catch (IOException e) {
                return Optional.empty();
            }
            return Optional.ofNullable(best);
        }

        private static int stepOf(Path checkpoint) {
            Matcher m = CHECKPOINT_DIR.matcher(checkpoint.getFileName().toString());
            return m.matches() ? Integer.parseInt(m.group(1)) : -1;
        }

        private String stderrTail() {
            try (RandomAccessFile file = new RandomAccessFile(stderr.toFile(), "r")) {
                long length = file.length();
                long from = Math.max(0, length - STDERR_TAIL_BYTES);
                byte[] bytes = new byte[(int) (length - from)];
                file.seek(from);
                file.readFully(bytes);
                String text = new String(bytes, StandardCharsets.UTF_8).strip();
                return text.isEmpty() ? "(empty)" : text;
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }
    }
}
