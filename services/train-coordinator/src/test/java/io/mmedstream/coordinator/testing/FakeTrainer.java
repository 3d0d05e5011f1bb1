package io.mmedstream.coordinator.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in for the trainer's child process: a POSIX shell script that speaks the trainer's protocol (JSON progress
 * lines on stdout, the documented exit codes, checkpoints in --output) in one of several behaviours. It is a test
 * double for the process boundary only; the coordinator code under test is the real one.
 *
 * <p>Every invocation appends a line to {@code invocations.log} in its working directory (the round's work folder).
 */
public final class FakeTrainer {

    /** How the fake trainer behaves. */
    public enum Mode {
        /** Trains 2 steps (loss 5.5 then 4.25), writes checkpoint-00000002 and exits 0. */
        SUCCEED,
        /** Reports an io error and exits 75 (retriable). */
        RETRIABLE,
        /** Reports bad_data and exits 65 (permanent). */
        PERMANENT,
        /** Prints a traceback on stderr and exits 3 without a progress line. */
        CRASH,
        /** Starts, then prints nothing more and waits until it is stopped (SIGTERM: exits 75). */
        HANG,
        /**
         * First run: step 1, checkpoint-00000001, then runs until SIGTERM (exits 75). A run that finds that
         * checkpoint resumes: step 2, done, exit 0.
         */
        RESUMABLE
    }

    private static final String SCRIPT = """
            #!/bin/sh
            mode="$1"; shift
            out=""
            all="$*"
            while [ $# -gt 0 ]; do
              case "$1" in
                --output) out="$2"; shift ;;
              esac
              shift
            done
            echo "$mode $all" >> invocations.log
            ck2="$out/checkpoint-00000002"
            ck1="$out/checkpoint-00000001"
            case "$mode" in
              SUCCEED)
                echo '{"event":"start","round_id":"x","step":0,"total_steps":2,"parameters":1000,"device":"cpu"}'
                echo '{"event":"step","step":1,"loss":5.5,"lr":0.001,"tokens_per_s":100.0,"tokens_seen":64}'
                echo 'a line that is not JSON'
                mkdir -p "$ck2"
                echo '{"event":"step","step":2,"loss":4.25,"lr":0.0005,"tokens_per_s":120.0,"tokens_seen":128}'
                echo "{\\"event\\":\\"checkpoint\\",\\"step\\":2,\\"path\\":\\"$ck2\\",\\"tokens_seen\\":128,\\"tokens_per_lang\\":{\\"en\\":100,\\"fr\\":28}}"
                echo "{\\"event\\":\\"done\\",\\"step\\":2,\\"checkpoint\\":\\"$ck2\\",\\"first_loss\\":5.5,\\"final_loss\\":4.25,\\"tokens_seen\\":128,\\"tokens_per_lang\\":{\\"en\\":100,\\"fr\\":28},\\"elapsed_s\\":0.1}"
                exit 0 ;;
              RETRIABLE)
                echo '{"event":"error","reason":"io","retriable":true,"exit_code":75,"message":"disk full","rank":0}'
                exit 75 ;;
              PERMANENT)
                echo '{"event":"error","reason":"bad_data","retriable":false,"exit_code":65,"message":"shard s1 is broken","rank":0}'
                exit 65 ;;
              CRASH)
                echo "Traceback (most recent call last): boom" >&2
                exit 3 ;;
              HANG)
                trap 'exit 75' TERM
                echo '{"event":"start","round_id":"x","step":0,"total_steps":2}'
                while true; do sleep 0.2; done ;;
              RESUMABLE)
                if [ -d "$ck1" ]; then
                  echo "{\\"event\\":\\"start\\",\\"step\\":1,\\"total_steps\\":2,\\"resumed_from\\":\\"$ck1\\"}"
                  mkdir -p "$ck2"
                  echo '{"event":"step","step":2,"loss":3.0,"lr":0.001,"tokens_per_s":90.0,"tokens_seen":128}'
                  echo "{\\"event\\":\\"done\\",\\"step\\":2,\\"checkpoint\\":\\"$ck2\\",\\"first_loss\\":4.0,\\"final_loss\\":3.0,\\"tokens_seen\\":128,\\"tokens_per_lang\\":{\\"en\\":128}}"
                  exit 0
                fi
                trap 'exit 75' TERM
                echo '{"event":"start","step":0,"total_steps":2}'
                echo '{"event":"step","step":1,"loss":4.0,"lr":0.001,"tokens_per_s":90.0,"tokens_seen":64}'
                mkdir -p "$ck1"
                echo "{\\"event\\":\\"checkpoint\\",\\"step\\":1,\\"path\\":\\"$ck1\\",\\"tokens_seen\\":64,\\"tokens_per_lang\\":{\\"en\\":64}}"
                while true; do sleep 0.2; done ;;
            esac
            exit 2
            """;

    private FakeTrainer() {
    }

    /** Writes the script into {@code dir}; returns the launcher command for a mode. */
    public static List<String> command(Path dir, Mode mode) {
        try {
            Path script = dir.resolve("fake-trainer.sh");
            Files.createDirectories(dir);
            Files.writeString(script, SCRIPT);
            return List.of("sh", script.toAbsolutePath().toString(), mode.name());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The lines of a round's invocations.log (one per launch). */
    public static List<String> invocations(Path roundWorkDir) {
        try {
            Path log = roundWorkDir.resolve("invocations.log");
            return Files.isRegularFile(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
