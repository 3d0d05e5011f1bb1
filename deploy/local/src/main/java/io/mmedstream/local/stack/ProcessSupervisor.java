package io.mmedstream.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts named processes detached from the CLI and finds and stops them again from a later CLI run.
 *
 * <p>Each process gets a pid file {@code <runDir>/<name>.pid} (pid and start time, so a pid the system has reused
 * for another program is never mistaken for ours) and a log {@code <logsDir>/<name>.log} that takes its stdout and
 * stderr. Processes start in a session of their own ({@code setsid}) when the system has it, so a Ctrl-C in the
 * terminal reaches only the CLI, which then stops them in order.
 */
public final class ProcessSupervisor {

    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(1);

    private final Path runDir;
    private final Path logsDir;

    public ProcessSupervisor(Path runDir, Path logsDir) {
        this.runDir = runDir;
        this.logsDir = logsDir;
    }

    /**
     * Starts {@code command} in the background and records it under {@code name}.
     *
     * @param environment variables added to this process's own environment
     */
    public ProcessHandle start(String name, List<String> command, Map<String, String> environment, Path workDir)
            throws IOException {
        Files.createDirectories(runDir);
        Files.createDirectories(logsDir);
        Path log = logFile(name);
        List<String> full = new ArrayList<>();
        setsid().ifPresent(full::add);
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Files.writeString(log, "---- " + Instant.now() + " starting " + String.join(" ", command) + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process process = builder.start();
        ProcessHandle handle = process.toHandle();
        writePidFile(name, handle);
        return handle;
    }

    /** The running process recorded under {@code name}; a pid file left by a process that is gone is removed. */
    public Optional<ProcessHandle> find(String name) {
        Path pidFile = pidFile(name);
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        Optional<ProcessHandle> alive = readPidFile(pidFile).flatMap(this::stillOurs);
        if (alive.isEmpty()) {
            deleteQuietly(pidFile);
        }
        return alive;
    }

    /**
     * Stops the processes recorded under {@code names}, all at once: SIGTERM, then SIGKILL for any still running
     * after {@code grace}. Removes their pid files. Names with no running process are skipped.
     *
     * @return the names that were running
     */
    public List<String> stop(List<String> names, Duration grace) {
        List<String> stopped = new ArrayList<>();
        List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>();
        List<ProcessHandle> handles = new ArrayList<>();
        for (String name : names) {
            find(name).ifPresent(h -> {
                stopped.add(name);
                handles.add(h);
                h.destroy();
                exits.add(h.onExit());
            });
        }
        try {
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            handles.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            handles.forEach(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handles.forEach(ProcessHandle::destroyForcibly);
        } catch (Exception e) {
            handles.forEach(ProcessHandle::destroyForcibly);
        }
        names.forEach(n -> deleteQuietly(pidFile(n)));
        return stopped;
    }

    public Path logFile(String name) {
        return logsDir.resolve(name + ".log");
    }

    public Path pidFile(String name) {
        return runDir.resolve(name + ".pid");
    }

    private void writePidFile(String name, ProcessHandle handle) throws IOException {
        long started = handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Path tmp = runDir.resolve(name + ".pid.tmp");
        Files.writeString(tmp, handle.pid() + " " + started + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, pidFile(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private record PidRecord(long pid, long startedMillis) {
    }

    private static Optional<PidRecord> readPidFile(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
            return Optional.of(new PidRecord(Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : 0));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<ProcessHandle> stillOurs(PidRecord record) {
        return ProcessHandle.of(record.pid()).filter(ProcessHandle::isAlive).filter(h -> {
            if (record.startedMillis() == 0) {
                return true;
            }
            return h.info().startInstant()
                    .map(i -> Math.abs(i.toEpochMilli() - record.startedMillis()) <= START_TIME_TOLERANCE.toMillis())
                    .orElse(true);
        });
    }

    private static Optional<String> setsid() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
