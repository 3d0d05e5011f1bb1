package io.mmedstream.local.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.mmedstream.local.cli.CommandException;

/**
 * Makes sure the trainer can run before the stack starts its train-coordinator: a Python 3 that imports torch and
 * numpy. The interpreter is {@code $MMED_PYTHON}, else the first of {@code python3}, {@code /usr/bin/python3} that
 * imports both (the rule of {@code services/trainer/run-tests.sh}; a pyenv {@code python3} first on PATH often lacks
 * Debian's torch). When none does, and this runs as root on Debian or Ubuntu, the Debian packages are installed with
 * apt-get, their output shown; otherwise it stops with the exact command to run.
 *
 * <p>On Debian, PyTorch without {@code libopenblas0-pthread} multiplies matrices about 40 times slower: a found
 * interpreter whose torch is Debian's gets that package too (as root), or a warning with the command.
 */
public final class TrainerPrerequisites {

    /** Interpreters tried, in order, when {@code MMED_PYTHON} is not set. */
    public static final List<String> CANDIDATES = List.of("python3", "/usr/bin/python3");
    /** Debian/Ubuntu packages the trainer needs on a CPU. */
    public static final List<String> DEBIAN_PACKAGES = List.of("python3-torch", "python3-numpy",
            "libopenblas0-pthread");
    static final String TORCH_PACKAGE = "python3-torch";
    static final String OPENBLAS_PACKAGE = "libopenblas0-pthread";

    /**
     * What running an interpreter showed.
     *
     * @param executable its real executable ({@code sys.executable}), when it imports torch and numpy
     * @param problem what went wrong, when it does not
     */
    public record Probe(Optional<String> executable, Optional<String> problem) {

        public static Probe works(String executable) {
            return new Probe(Optional.of(executable), Optional.empty());
        }

        public static Probe fails(String problem) {
            return new Probe(Optional.empty(), Optional.of(problem));
        }

        public boolean ok() {
            return problem.isEmpty();
        }
    }

    /** What this machine offers; {@link #system()} asks the real one, tests give a fake. */
    public interface Host {

        /** Whether {@code python} imports torch and numpy, and its real executable when it does. */
        Probe probe(String python);

        /** Whether this process runs as root (uid 0). */
        boolean isRoot();

        /** Whether this is Debian, Ubuntu or a derivative, with apt-get and dpkg-query. */
        boolean isDebianLike();

        /** Those of {@code packages} that dpkg does not have installed. */
        Set<String> notInstalled(List<String> packages);

        /** Runs {@code command} with {@code env} added, each line of its output to {@code output}; its exit status. */
        int run(List<String> command, Map<String, String> env, Consumer<String> output);
    }

    private final Host host;
    private final Consumer<String> progress;

    /**
     * @param progress receives what is going on (the install command and its output), for the user
     */
    public TrainerPrerequisites(Host host, Consumer<String> progress) {
        this.host = host;
        this.progress = progress;
    }

    /**
     * The interpreter that imports torch and numpy, if any: {@code configured}, else the first good candidate; as its
     * real executable, so that the coordinator, started elsewhere, runs the same one (a pyenv shim's choice depends
     * on the working directory).
     */
    public Optional<String> find(Optional<String> configured) {
        for (String candidate : configured.map(List::of).orElse(CANDIDATES)) {
            Probe probe = host.probe(candidate);
            if (probe.ok()) {
                return Optional.of(probe.executable().orElse(candidate));
            }
        }
        return Optional.empty();
    }

    /**
     * The interpreter for the trainer, installing what is missing where it can.
     *
     * @param configured {@code $MMED_PYTHON}: used as given, never replaced by another interpreter
     * @throws CommandException when there is none and it cannot be installed here, with the command to run
     */
    public String ensure(Optional<String> configured) {
        if (configured.isPresent()) {
            String python = configured.get();
            Probe probe = host.probe(python);
            if (!probe.ok()) {
                throw new CommandException("MMED_PYTHON=" + python + " cannot run the trainer: " + probe.problem().get()
                        + ". Point MMED_PYTHON at a Python 3 that has torch and numpy, or unset it to use the first"
                        + " of " + String.join(", ", CANDIDATES) + " that has them.");
            }
            return probe.executable().orElse(python);
        }
        List<String> tried = new ArrayList<>();
        Optional<String> found = Optional.empty();
        for (String candidate : CANDIDATES) {
            Probe probe = host.probe(candidate);
            if (probe.ok()) {
                found = Optional.of(probe.executable().orElse(candidate));
                break;
            }
            tried.add(candidate + ": " + probe.problem().get());
        }
        boolean debian = host.isDebianLike();
        if (found.isPresent()) {
            if (debian) {
                Set<String> absent = host.notInstalled(List.of(TORCH_PACKAGE, OPENBLAS_PACKAGE));
                if (!absent.contains(TORCH_PACKAGE) && absent.contains(OPENBLAS_PACKAGE)) {
                    String why = "Debian's PyTorch without " + OPENBLAS_PACKAGE
                            + " multiplies matrices about 40 times slower";
                    if (host.isRoot()) {
                        progress.accept(why + ": installing it");
                        install(List.of(OPENBLAS_PACKAGE));
                    } else {
                        progress.accept("warning: " + why + "; install it with: " + sudoCommand(
                                List.of(OPENBLAS_PACKAGE)));
                    }
                }
            }
            progress.accept("trainer: " + found.get() + " (PyTorch and NumPy found)");
            return found.get();
        }
        String missing = "the trainer needs a Python 3 with PyTorch and NumPy, and none was found (tried "
                + String.join("; ", tried) + ")";
        if (!debian) {
            throw new CommandException(missing + ". Install PyTorch and NumPy for Python 3, for example with:\n  "
                    + "python3 -m pip install torch numpy\nor set MMED_PYTHON to an interpreter that has them.");
        }
        if (!host.isRoot()) {
            throw new CommandException(missing + ". Install them with:\n  " + sudoCommand(DEBIAN_PACKAGES)
                    + "\nor set MMED_PYTHON to an interpreter that has them.");
        }
        progress.accept(missing + ": installing the Debian packages");
        install(DEBIAN_PACKAGES);
        Optional<String> installed = find(Optional.empty());
        if (installed.isPresent()) {
            progress.accept("the trainer will run with " + installed.get());
            return installed.get();
        }
        throw new CommandException("PyTorch was installed (" + String.join(" ", DEBIAN_PACKAGES) + "), yet none of "
                + String.join(", ", CANDIDATES) + " imports torch and numpy: set MMED_PYTHON to the interpreter"
                + " that does (Debian's packages are for /usr/bin/python3).");
    }

    /** The command a user without root runs. */
    static String sudoCommand(List<String> packages) {
        return "sudo " + String.join(" ", installCommand(packages));
    }

    static List<String> installCommand(List<String> packages) {
        List<String> command = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        command.addAll(packages);
        return command;
    }

    /** apt-get install; when that fails (package lists missing or stale), apt-get update and once more. */
    private void install(List<String> packages) {
        List<String> command = installCommand(packages);
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        progress.accept("$ " + String.join(" ", command));
        int status = host.run(command, env, line -> progress.accept("  " + line));
        if (status != 0) {
            progress.accept("$ apt-get update");
            int update = host.run(List.of("apt-get", "update"), env, line -> progress.accept("  " + line));
            if (update == 0) {
                progress.accept("$ " + String.join(" ", command));
                status = host.run(command, env, line -> progress.accept("  " + line));
            }
        }
        if (status != 0) {
            throw new CommandException("installing the trainer's prerequisites failed (apt-get exit status " + status
                    + "). Run it yourself, then try again:\n  " + String.join(" ", command));
        }
    }

    /** This machine. */
    public static Host system() {
        return new SystemHost();
    }

    private static final class SystemHost implements Host {

        /** Importing torch takes seconds on a busy machine; much longer means something is wrong. */
        private static final long PROBE_SECONDS = 120;

        @Override
        public Probe probe(String python) {
            Process process;
            try {
                process = new ProcessBuilder(python, "-c", "import sys, torch, numpy; print(sys.executable)")
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                return Probe.fails("cannot run it (" + e.getMessage() + ")");
            }
            try {
                // The output is one short line: reading it after the exit cannot fill the pipe.
                if (!process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return Probe.fails("no answer within " + PROBE_SECONDS + " s");
                }
                if (process.exitValue() != 0) {
                    return Probe.fails("cannot import torch and numpy");
                }
                String executable = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                return executable.isEmpty() ? Probe.works(python) : Probe.works(executable);
            } catch (IOException e) {
                return Probe.works(python);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted");
            }
        }

        @Override
        public boolean isRoot() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                    if (line.startsWith("Uid:")) {
                        return line.substring(4).trim().split("\\s+")[1].equals("0"); // the effective uid
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: fall through
            }
            return "root".equals(System.getProperty("user.name"));
        }

        @Override
        public boolean isDebianLike() {
            Path osRelease = Path.of("/etc/os-release");
            if (!Files.isRegularFile(osRelease) || onPath("apt-get").isEmpty() || onPath("dpkg-query").isEmpty()) {
                return false;
            }
            try {
                return debianLike(Files.readAllLines(osRelease, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public Set<String> notInstalled(List<String> packages) {
            List<String> command = new ArrayList<>(List.of("dpkg-query", "-W", "-f", "${Package} ${Status}\\n"));
            command.addAll(packages);
            Set<String> installed = new LinkedHashSet<>();
            run(command, Map.of(), line -> {
                String[] parts = line.trim().split("\\s+", 2);
                if (parts.length == 2 && parts[1].equals("install ok installed")) {
                    installed.add(parts[0].replaceFirst(":.*$", ""));
                }
            });
            Set<String> absent = new LinkedHashSet<>(packages);
            absent.removeAll(installed);
            return absent;
        }

        @Override
        public int run(List<String> command, Map<String, String> env, Consumer<String> output) {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(env);
            try {
                Process process = builder.start();
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        output.accept(line);
                    }
                }
                return process.waitFor();
            } catch (IOException e) {
                output.accept("cannot run " + command.get(0) + ": " + e.getMessage());
                return 127;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandException("interrupted");
            }
        }

        private static Optional<Path> onPath(String program) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
            return Optional.empty();
        }
    }

    /** Whether an {@code /etc/os-release} names Debian or Ubuntu as the system or one it is like. */
    static boolean debianLike(List<String> osRelease) {
        for (String line : osRelease) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).trim();
            if (key.equals("ID") || key.equals("ID_LIKE")) {
                String value = line.substring(eq + 1).replace("\"", "").replace("'", "").toLowerCase(Locale.ROOT);
                for (String id : value.split("\\s+")) {
                    if (id.equals("debian") || id.equals("ubuntu")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
