package io.mmedstream.local.serving;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.grpc.Status;

import io.mmedstream.local.cli.CommandException;
import io.mmedstream.proto.inference.v1.ModelInfo;

/**
 * The demo's way from a trained checkpoint to an answer: waits until eval has published the checkpoint's
 * {@code EvalCompleted} (and, when promoted, its {@code ModelPromoted}), then until inference serves the promoted
 * version. Everything it learns comes from the topics and inference's API, as a user would see it.
 */
public final class ServingDriver {

    private final EvaluationReader reader;
    private final BooleanSupplier evalRunning;
    private final Duration poll;

    /**
     * @param reader      eval's topics
     * @param evalRunning whether eval's process still runs (waiting stops at once when it does not)
     * @param poll        how often to look again
     */
    public ServingDriver(EvaluationReader reader, BooleanSupplier evalRunning, Duration poll) {
        this.reader = reader;
        this.evalRunning = evalRunning;
        this.poll = poll;
    }

    /**
     * Waits for the evaluation of the checkpoint at {@code checkpointUri} ({@code CheckpointReady.uri}).
     *
     * @param checkpointId the checkpoint's id
     * @param reports      eval's reports directory, where it records a checkpoint it gave up on
     *                     ({@code <checkpoint>/failure.json})
     * @param onWait       called after each look while it waits, with the time waited so far
     * @throws CommandException when eval gives up on the checkpoint, stops running or has not published it within
     *                          {@code timeout}
     */
    public Evaluation awaitEvaluation(String checkpointUri, String checkpointId, Path reports, Duration timeout,
                                      Consumer<Duration> onWait) throws InterruptedException {
        long started = System.nanoTime();
        Instant since = Instant.now().minusSeconds(1);
        while (true) {
            List<Evaluation> all = reader.catchUp(Duration.ofSeconds(30));
            Optional<Evaluation> found = all.stream()
                    .filter(e -> e.result().getCheckpointUri().equals(checkpointUri)).reduce((a, b) -> b);
            if (found.isPresent()) {
                Evaluation e = found.get();
                if (e.promoted() || !promotionMayFollow(e)) {
                    return e;
                }
            }
            Optional<String> gaveUp = gaveUp(reports, checkpointId, since);
            if (gaveUp.isPresent()) {
                throw new CommandException("eval gave up on the checkpoint " + checkpointId + ": " + gaveUp.get());
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            if (!evalRunning.getAsBoolean()) {
                throw new CommandException("eval is not running, so the checkpoint " + checkpointUri
                        + " will not be evaluated");
            }
            if (waited.compareTo(timeout) > 0) {
                throw new CommandException("eval has not evaluated " + checkpointUri + " within "
                        + timeout.toMinutes() + " min");
            }
            onWait.accept(waited);
            Thread.sleep(poll.toMillis());
        }
    }

    /**
     * Why eval gave up on a checkpoint: its {@link EvalFailure} under {@code reports}, recorded at or after
     * {@code since} (an older one is from an earlier attempt); empty when there is none.
     */
    static Optional<String> gaveUp(Path reports, String checkpointId, Instant since) {
        return EvalFailure.readAll(reports).stream()
                .filter(f -> f.checkpoint().equals(checkpointId) && !f.failedAt().isBefore(since))
                .reduce((a, b) -> b)
                .map(f -> f.reason() + " (after " + f.attempts() + " attempts; " + f.file() + ")");
    }

    /**
     * Eval publishes {@code EvalCompleted} and {@code ModelPromoted} in one transaction, so both are visible
     * together; only a {@code ModelPromoted} on a partition this read had not reached yet could follow. Eval's
     * recorded decision says whether one will.
     */
    private static boolean promotionMayFollow(Evaluation e) {
        return e.decidedToPromote().orElse(false);
    }

    /**
     * Waits until inference serves {@code model} {@code version} ({@code GetModel}); UNAVAILABLE (nothing serves
     * yet) and a model still switching are waited out.
     *
     * @throws CommandException when another error comes back, or it does not serve that version within
     *         {@code timeout}
     */
    public static ModelInfo awaitServing(InferenceClient client, String model, String version, Duration timeout,
                                         Duration poll) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (true) {
            try {
                ModelInfo info = client.model(Duration.ofSeconds(10));
                if (info.getModel().getName().equals(model) && info.getModel().getVersion().equals(version)) {
                    return info;
                }
                last = "it serves " + info.getModel().getName() + " version " + info.getModel().getVersion();
            } catch (InferenceClient.CallException e) {
                if (e.code() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new CommandException("inference (" + client.target() + ") does not serve " + model + " version "
                        + version + " after " + timeout.toSeconds() + " s: " + last);
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
