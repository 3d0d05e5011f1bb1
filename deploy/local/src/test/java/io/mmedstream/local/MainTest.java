package io.mmedstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.local.cli.Terminal;

class MainTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return run(Map.of(), args);
    }

    private int run(Map<String, String> extraEnv, String... args) {
        Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        Map<String, String> env = new HashMap<>(Map.of("MMED_ROOT", home.toString(), "MMED_HOME", home.toString()));
        env.putAll(extraEnv);
        return Main.run(args, env, terminal);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("demo", "up", "down", "status", "rounds", "submit",
                "bench");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(Main.USAGE);
        assertThat(err()).contains("usage: ./mmed");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("launch")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("unknown command 'launch'");
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        for (String command : new String[] {"demo", "up", "down", "status", "rounds", "submit", "bench"}) {
            out.reset();
            assertThat(run(command, "--help")).as(command).isEqualTo(Main.OK);
            assertThat(out.toString(StandardCharsets.UTF_8)).as(command).startsWith("usage: ./mmed " + command);
        }
    }

    @Test
    void submitWithoutAFileIsAUsageError() {
        assertThat(run("submit")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("missing the file to submit");
    }

    @Test
    void submitOfAMissingFileFailsWithItsName() {
        assertThat(run("submit", home.resolve("nope.jsonl").toString())).isEqualTo(Main.FAILED);
        assertThat(err()).contains("no such file").contains("nope.jsonl");
    }

    @Test
    void submitFailsFastWhenNoBrokerAnswers() throws Exception {
        Path file = Files.writeString(home.resolve("docs.jsonl"), "{\"text\": \"x\", \"source\": \"t\"}\n");
        long started = System.nanoTime();

        int status = run("submit", "--bootstrap", "localhost:1", file.toString());

        assertThat(status).isEqualTo(Main.FAILED);
        assertThat(err()).contains("cannot reach Kafka at localhost:1");
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(20);
    }

    @Test
    void benchNamesAMissingCorpus() {
        assertThat(run("bench", "--corpus", home.resolve("missing.jsonl.gz").toString())).isEqualTo(Main.FAILED);
        assertThat(err()).contains("benchmark corpus not found").contains("missing.jsonl.gz");
    }

    @Test
    void roundsWhenTheStackIsNotUpSaysSo() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }

        assertThat(run(Map.of("MMED_TRAIN_COORDINATOR_PORT", String.valueOf(port)), "rounds")).isEqualTo(Main.FAILED);
        assertThat(err()).contains("the stack is not up: the train-coordinator is not running (./mmed up starts it)");
    }

    @Test
    void roundsTakesNoArguments() {
        assertThat(run("rounds", "round-000001")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("unexpected argument 'round-000001'").contains("usage: ./mmed rounds [--json]");
    }

    @Test
    void downWhenNothingRunsSucceeds() {
        assertThat(run("down")).isEqualTo(Main.OK);
        assertThat(err()).contains("nothing was running");
    }
}
