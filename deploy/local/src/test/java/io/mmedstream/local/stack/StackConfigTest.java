package io.mmedstream.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mmedstream.local.cli.UsageException;

class StackConfigTest {

    @Test
    void defaultsLiveUnderTheRepository() {
        StackConfig c = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo"));

        assertThat(c.home()).isEqualTo(Path.of("/repo/.mmed"));
        assertThat(c.kafkaPort()).isEqualTo(9092);
        assertThat(c.port(Service.INGEST)).isEqualTo(8081);
        assertThat(c.port(Service.FILTER)).isEqualTo(8082);
        assertThat(c.port(Service.TOKENIZE)).isEqualTo(8083);
        assertThat(c.port(Service.TRAIN_COORDINATOR)).isEqualTo(8084);
        assertThat(c.readyTimeout()).isEqualTo(Duration.ofSeconds(180));
        assertThat(c.logFile("filter")).isEqualTo(Path.of("/repo/.mmed/logs/filter.log"));
        assertThat(c.shardsDir()).isEqualTo(Path.of("/repo/.mmed/shards"));
        assertThat(Service.TOKENIZE.jar(c.root()))
                .isEqualTo(Path.of("/repo/services/tokenize/target/quarkus-app/quarkus-run.jar"));
        assertThat(Service.TRAIN_COORDINATOR.jar(c.root()))
                .isEqualTo(Path.of("/repo/services/train-coordinator/target/quarkus-app/quarkus-run.jar"));
        assertThat(c.roundsDir()).isEqualTo(Path.of("/repo/.mmed/rounds"));
        assertThat(c.checkpointsDir()).isEqualTo(Path.of("/repo/.mmed/checkpoints"));
        assertThat(c.trainerDir()).isEqualTo(Path.of("/repo/services/trainer"));
        assertThat(c.trainerPython()).isEmpty();
    }

    @Test
    void theCoordinatorTrainsShortRoundsOnACpuUnlessTheEnvironmentSaysOtherwise() {
        StackConfig defaults = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo"));
        assertThat(defaults.coordinatorSettings()).isEqualTo(StackConfig.COORDINATOR_DEFAULTS)
                .containsEntry("MMED_COORDINATOR_TRAINING_MAX_STEPS", "80")
                .containsEntry("MMED_COORDINATOR_TRAINING_SEQ_LEN", "128");

        StackConfig c = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo",
                "MMED_COORDINATOR_TRAINING_MAX_STEPS", "500", "MMED_COORDINATOR_POLICY_MAX_WAIT", "30s",
                "MMED_PYTHON", "/opt/venv/bin/python", "MMED_OTHER", "x"));

        assertThat(c.coordinatorSettings()).containsEntry("MMED_COORDINATOR_TRAINING_MAX_STEPS", "500")
                .containsEntry("MMED_COORDINATOR_POLICY_MAX_WAIT", "30s")
                .containsEntry("MMED_COORDINATOR_TRAINING_SEQ_LEN", "128")
                .doesNotContainKey("MMED_OTHER");
        assertThat(c.trainerPython()).contains("/opt/venv/bin/python");
    }

    @Test
    void theServingServicesHaveTheirPortsAndShareOneModelRepositoryUnderHome() {
        StackConfig c = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo"));

        assertThat(c.port(Service.MODEL_SERVER)).isEqualTo(8001);
        assertThat(c.port(Service.EVAL)).isEqualTo(8086);
        assertThat(c.port(Service.INFERENCE)).isEqualTo(8085);
        assertThat(c.inferenceGrpcPort()).isEqualTo(9000);
        assertThat(Service.MODEL_SERVER.portVariable()).isEqualTo("MMED_MODEL_SERVER_PORT");
        assertThat(Service.INFERENCE.portVariable()).isEqualTo("MMED_INFERENCE_PORT");
        assertThat(Service.INFERENCE.startedPath()).isEqualTo("/q/health/live");
        assertThat(Service.EVAL.startedPath()).isEqualTo("/q/health/ready");
        assertThat(c.modelRepositoryDir()).isEqualTo(Path.of("/repo/.mmed/model-repository"));
        assertThat(c.evalReportsDir()).isEqualTo(Path.of("/repo/.mmed/eval-reports"));
        assertThat(c.inferenceTokenFile()).isEqualTo(Path.of("/repo/.mmed/inference-token"));
        assertThat(Service.EVAL.jar(c.root()))
                .isEqualTo(Path.of("/repo/services/eval/target/quarkus-app/quarkus-run.jar"));

        StackConfig moved = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo", "MMED_INFERENCE_GRPC_PORT",
                "19000", "MMED_MODEL_SERVER_PORT", "18001"));
        assertThat(moved.inferenceGrpcPort()).isEqualTo(19000);
        assertThat(moved.port(Service.MODEL_SERVER)).isEqualTo(18001);
    }

    @Test
    void evalAnswersShortlyUnlessTheEnvironmentSaysOtherwise() {
        assertThat(StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo")).evalSettings())
                .isEqualTo(StackConfig.EVAL_DEFAULTS).containsEntry("MMED_EVAL_BACKEND_MAX_TOKENS", "32");

        StackConfig c = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo", "MMED_EVAL_BACKEND_MAX_TOKENS",
                "512", "MMED_EVAL_BENCHMARK_WITH_RATIONALE", "true", "MMED_OTHER", "x"));

        assertThat(c.evalSettings()).containsEntry("MMED_EVAL_BACKEND_MAX_TOKENS", "512")
                .containsEntry("MMED_EVAL_BENCHMARK_WITH_RATIONALE", "true").doesNotContainKey("MMED_OTHER");
    }

    @Test
    void theCoordinatorPortHasAVariableOfItsOwn() {
        assertThat(Service.TRAIN_COORDINATOR.portVariable()).isEqualTo("MMED_TRAIN_COORDINATOR_PORT");
        StackConfig c = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo", "MMED_TRAIN_COORDINATOR_PORT",
                "18084"));
        assertThat(c.port(Service.TRAIN_COORDINATOR)).isEqualTo(18084);
    }

    @Test
    void environmentMovesHomePortsAndJvmOptions() {
        StackConfig c = StackConfig.fromEnvironment(Map.of("MMED_ROOT", "/repo", "MMED_HOME", "/state",
                "KAFKA_PORT", "19092", "MMED_FILTER_PORT", "18082", "MMED_READY_TIMEOUT_S", "30",
                "MMED_SERVICE_JAVA_OPTS", " -Xmx512m  -XX:+UseSerialGC "));

        assertThat(c.home()).isEqualTo(Path.of("/state"));
        assertThat(c.kafkaPort()).isEqualTo(19092);
        assertThat(c.port(Service.FILTER)).isEqualTo(18082);
        assertThat(c.port(Service.INGEST)).isEqualTo(8081);
        assertThat(c.readyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.serviceJavaOptions()).containsExactly("-Xmx512m", "-XX:+UseSerialGC");
    }

    @Test
    void aBadPortIsAUsageErrorNamingTheVariable() {
        assertThatThrownBy(() -> StackConfig.fromEnvironment(Map.of("KAFKA_PORT", "kafka")))
                .isInstanceOf(UsageException.class).hasMessageContaining("KAFKA_PORT");
        assertThatThrownBy(() -> StackConfig.fromEnvironment(Map.of("MMED_INGEST_PORT", "70000")))
                .isInstanceOf(UsageException.class).hasMessageContaining("MMED_INGEST_PORT");
    }
}
