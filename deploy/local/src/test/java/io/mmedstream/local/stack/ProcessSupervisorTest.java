package io.mmedstream.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSupervisorTest {

    @TempDir
    Path home;

    private ProcessSupervisor supervisor() {
        return new ProcessSupervisor(home.resolve("run"), home.resolve("logs"));
    }

    @Test
    void aStartedProcessIsFoundByALaterSupervisorAndStopped() throws Exception {
        ProcessHandle started = supervisor().start("sleeper", List.of("sleep", "60"), Map.of(), home);

        ProcessSupervisor later = supervisor();
        assertThat(later.find("sleeper")).map(ProcessHandle::pid).contains(started.pid());

        assertThat(later.stop(List.of("sleeper"), Duration.ofSeconds(10))).containsExactly("sleeper");
        assertThat(started.isAlive()).isFalse();
        assertThat(later.pidFile("sleeper")).doesNotExist();
        assertThat(later.find("sleeper")).isEmpty();
    }

    @Test
    void outputGoesToTheProcessLogAndEnvironmentIsPassed() throws Exception {
        ProcessHandle p = supervisor().start("echo", List.of("sh", "-c", "echo value=$MMED_TEST_VALUE"),
                Map.of("MMED_TEST_VALUE", "42"), home);
        p.onExit().get();

        assertThat(Files.readString(supervisor().logFile("echo"))).contains("value=42");
    }

    @Test
    void aProcessThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        ProcessHandle stubborn = supervisor().start("stubborn",
                List.of("sh", "-c", "trap '' TERM; while true; do sleep 1; done"), Map.of(), home);

        supervisor().stop(List.of("stubborn"), Duration.ofMillis(500));

        assertThat(stubborn.isAlive()).isFalse();
    }

    @Test
    void aPidFileOfAFinishedProcessIsRemovedNotTrusted() throws Exception {
        ProcessHandle p = supervisor().start("brief", List.of("true"), Map.of(), home);
        p.onExit().get();

        assertThat(supervisor().find("brief")).isEmpty();
        assertThat(supervisor().pidFile("brief")).doesNotExist();
    }

    @Test
    void aPidFileNamingAnotherProgramIsNotTrusted() throws Exception {
        Files.createDirectories(home.resolve("run"));
        // This JVM is alive, but it started at another time than the file says: a reused pid.
        Files.writeString(supervisor().pidFile("ghost"), ProcessHandle.current().pid() + " 1000\n");

        assertThat(supervisor().find("ghost")).isEmpty();
    }

    @Test
    void stoppingWhatDoesNotRunIsFine() {
        assertThat(supervisor().stop(List.of("nothing"), Duration.ofSeconds(1))).isEmpty();
    }
}
