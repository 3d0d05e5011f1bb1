package io.mmedstream.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.mmedstream.local.cli.CommandException;

class TrainerPrerequisitesTest {

    /**
     * A machine: which interpreters have torch (by name, with their real executable), whether we are root on Debian,
     * which packages dpkg has; apt-get install "installs" torch for /usr/bin/python3 unless told to fail.
     */
    private static final class FakeHost implements TrainerPrerequisites.Host {
        final Map<String, String> withTorch = new HashMap<>();
        final Set<String> installedPackages = new HashSet<>();
        final List<List<String>> commands = new ArrayList<>();
        boolean root;
        boolean debian;
        int installFailures;

        @Override
        public TrainerPrerequisites.Probe probe(String python) {
            String executable = withTorch.get(python);
            return executable == null ? TrainerPrerequisites.Probe.fails("cannot import torch and numpy")
                    : TrainerPrerequisites.Probe.works(executable);
        }

        @Override
        public boolean isRoot() {
            return root;
        }

        @Override
        public boolean isDebianLike() {
            return debian;
        }

        @Override
        public Set<String> notInstalled(List<String> packages) {
            Set<String> absent = new LinkedHashSet<>(packages);
            absent.removeAll(installedPackages);
            return absent;
        }

        @Override
        public int run(List<String> command, Map<String, String> env, Consumer<String> output) {
            commands.add(command);
            assertThat(env).containsEntry("DEBIAN_FRONTEND", "noninteractive");
            if (command.get(1).equals("install")) {
                if (installFailures > 0) {
                    installFailures--;
                    output.accept("E: Unable to locate package python3-torch");
                    return 100;
                }
                List<String> packages = command.subList(4, command.size());
                installedPackages.addAll(packages);
                if (packages.contains("python3-torch")) {
                    withTorch.put("/usr/bin/python3", "/usr/bin/python3");
                }
                output.accept("Setting up python3-torch ...");
            }
            return 0;
        }
    }

    private final FakeHost host = new FakeHost();
    private final List<String> progress = new ArrayList<>();
    private final TrainerPrerequisites prerequisites = new TrainerPrerequisites(host, progress::add);

    @Test
    void theFirstCandidateWithTorchIsChosenAsItsRealExecutable() {
        host.withTorch.put("/usr/bin/python3", "/usr/bin/python3.11");

        assertThat(prerequisites.ensure(Optional.empty())).isEqualTo("/usr/bin/python3.11");
        assertThat(host.commands).isEmpty();
        assertThat(prerequisites.find(Optional.empty())).contains("/usr/bin/python3.11");
    }

    @Test
    void mmedPythonIsUsedAsGivenAndNeverReplacedByAnother() {
        host.withTorch.put("/opt/venv/bin/python", "/opt/venv/bin/python");
        host.withTorch.put("python3", "/usr/bin/python3");
        assertThat(prerequisites.ensure(Optional.of("/opt/venv/bin/python"))).isEqualTo("/opt/venv/bin/python");

        host.root = true;
        host.debian = true;
        assertThatThrownBy(() -> prerequisites.ensure(Optional.of("/opt/other/python")))
                .isInstanceOf(CommandException.class).hasMessageContaining("MMED_PYTHON=/opt/other/python")
                .hasMessageContaining("cannot import torch and numpy");
        assertThat(host.commands).as("nothing installed for an interpreter the user chose").isEmpty();
        assertThat(prerequisites.find(Optional.of("/opt/other/python"))).isEmpty();
    }

    @Test
    void asRootOnDebianTheMissingPackagesAreInstalledWithApt() {
        host.root = true;
        host.debian = true;

        assertThat(prerequisites.ensure(Optional.empty())).isEqualTo("/usr/bin/python3");
        assertThat(host.commands).containsExactly(List.of("apt-get", "install", "-y", "--no-install-recommends",
                "python3-torch", "python3-numpy", "libopenblas0-pthread"));
        assertThat(progress).contains("$ apt-get install -y --no-install-recommends python3-torch python3-numpy"
                + " libopenblas0-pthread", "  Setting up python3-torch ...");
    }

    @Test
    void aFailedInstallUpdatesThePackageListsAndTriesOnce() {
        host.root = true;
        host.debian = true;
        host.installFailures = 1;

        assertThat(prerequisites.ensure(Optional.empty())).isEqualTo("/usr/bin/python3");
        assertThat(host.commands).extracting(c -> c.get(1)).containsExactly("install", "update", "install");
    }

    @Test
    void anInstallThatKeepsFailingStopsWithTheCommand() {
        host.root = true;
        host.debian = true;
        host.installFailures = 2;

        assertThatThrownBy(() -> prerequisites.ensure(Optional.empty())).isInstanceOf(CommandException.class)
                .hasMessageContaining("exit status 100")
                .hasMessageContaining("apt-get install -y --no-install-recommends python3-torch");
    }

    @Test
    void withoutRootOnDebianItStopsWithTheSudoCommand() {
        host.debian = true;

        assertThatThrownBy(() -> prerequisites.ensure(Optional.empty())).isInstanceOf(CommandException.class)
                .hasMessageContaining("tried python3: cannot import torch and numpy; /usr/bin/python3")
                .hasMessageContaining("sudo apt-get install -y --no-install-recommends python3-torch python3-numpy"
                        + " libopenblas0-pthread")
                .hasMessageContaining("MMED_PYTHON");
        assertThat(host.commands).isEmpty();
    }

    @Test
    void elsewhereItStopsWithThePipCommand() {
        host.root = true;

        assertThatThrownBy(() -> prerequisites.ensure(Optional.empty())).isInstanceOf(CommandException.class)
                .hasMessageContaining("python3 -m pip install torch numpy").hasMessageNotContaining("apt-get");
        assertThat(host.commands).isEmpty();
    }

    @Test
    void debianTorchWithoutOpenBlasGetsItAsRootAndAWarningOtherwise() {
        host.debian = true;
        host.withTorch.put("python3", "/usr/bin/python3");
        host.installedPackages.add("python3-torch");

        assertThat(prerequisites.ensure(Optional.empty())).isEqualTo("/usr/bin/python3");
        assertThat(host.commands).isEmpty();
        assertThat(progress).anyMatch(l -> l.startsWith("warning:")
                && l.contains("sudo apt-get install -y --no-install-recommends libopenblas0-pthread"));

        host.root = true;
        prerequisites.ensure(Optional.empty());
        assertThat(host.commands).containsExactly(List.of("apt-get", "install", "-y", "--no-install-recommends",
                "libopenblas0-pthread"));
    }

    @Test
    void osReleaseOfDebianUbuntuAndTheirDerivativesCounts() {
        assertThat(TrainerPrerequisites.debianLike(List.of("ID=debian", "VERSION_ID=\"12\""))).isTrue();
        assertThat(TrainerPrerequisites.debianLike(List.of("ID=ubuntu"))).isTrue();
        assertThat(TrainerPrerequisites.debianLike(List.of("ID=linuxmint", "ID_LIKE=\"ubuntu debian\""))).isTrue();
        assertThat(TrainerPrerequisites.debianLike(List.of("ID=\"rhel\"", "ID_LIKE=\"fedora\""))).isFalse();
        assertThat(TrainerPrerequisites.debianLike(List.of("ID=alpine"))).isFalse();
    }
}
