package io.mmedstream.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.local.cli.CommandException;

/** What {@code up} refuses before it starts anything; the real start is PipelineEndToEndIT's job. */
class LocalStackTest {

    @TempDir
    Path dir;

    private final List<String> progress = new ArrayList<>();

    private LocalStack stack(int kafkaPort) throws IOException {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, freePort());
        }
        StackConfig config = new StackConfig(dir.resolve("repo"), dir.resolve("home"), kafkaPort, ports,
                Duration.ofSeconds(5), List.of());
        return new LocalStack(config, progress::add);
    }

    @Test
    void upRefusesATakenKafkaPortNamingTheVariableAndStartsNothing() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            LocalStack stack = stack(taken.getLocalPort());

            assertThatThrownBy(stack::up).isInstanceOf(CommandException.class)
                    .hasMessageContaining("port " + taken.getLocalPort()).hasMessageContaining("KAFKA_PORT");
            assertThat(progress).noneMatch(line -> line.startsWith("starting"));
            assertThat(stack.processesRunning()).isFalse();
        }
    }

    @Test
    void upRefusesToStartServicesThatAreNotBuilt() throws IOException {
        LocalStack stack = stack(freePortPair());

        assertThatThrownBy(stack::up).isInstanceOf(CommandException.class)
                .hasMessageContaining("is not built").hasMessageContaining("quarkus-run.jar");
        assertThat(progress).noneMatch(line -> line.startsWith("starting"));
    }

    @Test
    void theCoordinatorGetsItsDirectoriesTheTrainerAndTheStackSettingsWhichWin() {
        StackConfig config = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo", "MMED_HOME", "/state",
                "MMED_COORDINATOR_TRAINING_MAX_STEPS", "120", "MMED_COORDINATOR_LOCAL_WORK_DIR", "/elsewhere"))
                .withTrainerPython("/usr/bin/python3");

        Map<String, String> env = LocalStack.coordinatorEnvironment(config);

        assertThat(env).containsEntry("MMED_COORDINATOR_LOCAL_TRAINER_DIR", "/repo/services/trainer")
                .containsEntry("MMED_COORDINATOR_LOCAL_CHECKPOINTS_DIR", "/state/checkpoints")
                .containsEntry("MMED_COORDINATOR_LOCAL_WORK_DIR", "/elsewhere")
                .containsEntry(LocalStack.TRAINER_PYTHON_VARIABLE, "/usr/bin/python3")
                .containsEntry("MMED_COORDINATOR_TRAINING_MAX_STEPS", "120")
                .containsEntry("MMED_COORDINATOR_TRAINING_SEQ_LEN", "128");
        assertThat(LocalStack.coordinatorEnvironment(StackConfig.fromEnvironment(Map.of("MMED_HOME", "/state"))))
                .containsEntry("MMED_COORDINATOR_LOCAL_WORK_DIR", "/state/rounds")
                .doesNotContainKey(LocalStack.TRAINER_PYTHON_VARIABLE);
    }

    @Test
    void evalAndTheModelServerShareTheRepositoryAndInferenceServesWhatEvalPromotes() {
        StackConfig config = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo", "MMED_HOME", "/state",
                "MMED_EVAL_BACKEND_MAX_TOKENS", "64", "MMED_EVAL_REPORTS", "/reports"));

        Map<String, String> eval = LocalStack.evalEnvironment(config, 18001);
        Map<String, String> inference = LocalStack.inferenceEnvironment(config, 18001, 19000, "t0k3n-of-sixteen+");

        assertThat(eval).containsEntry("MMED_MODEL_REPOSITORY", "/state/model-repository")
                .containsEntry("MMED_BACKEND_HOST", "localhost").containsEntry("MMED_BACKEND_PORT", "18001")
                .containsEntry("MMED_EVAL_MODEL_NAME", LocalStack.MODEL_NAME)
                .containsEntry("MMED_EVAL_BACKEND_MAX_TOKENS", "64")
                .containsEntry("MMED_EVAL_REPORTS", "/reports");
        assertThat(inference).containsEntry("MMED_TRITON_HOST", "localhost").containsEntry("MMED_TRITON_PORT", "18001")
                .containsEntry("MMED_INFERENCE_GRPC_PORT", "19000")
                .containsEntry("MMED_MODEL_NAME", LocalStack.MODEL_NAME)
                .containsEntry("MMED_INFERENCE_TOKENS", "local=t0k3n-of-sixteen+");
    }

    @Test
    void upCreatesInferencesTokenOnceReadableByItsOwnerOnly() throws Exception {
        LocalStack stack = stack(freePortPair());
        assertThatThrownBy(stack::up).hasMessageContaining("is not built");
        Path file = dir.resolve("home/inference-token");
        String token = stack.inferenceToken().orElseThrow();

        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        assertThatThrownBy(stack::up).hasMessageContaining("is not built");
        assertThat(stack.inferenceToken()).contains(token);
    }

    @Test
    void downOfAStackThatNeverRanStopsNothing() throws IOException {
        assertThat(stack(freePort()).down()).isEmpty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A port whose successor (the controller's) is free as well. */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            try (ServerSocket next = new ServerSocket(port + 1)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free pair of adjacent ports");
    }
}
