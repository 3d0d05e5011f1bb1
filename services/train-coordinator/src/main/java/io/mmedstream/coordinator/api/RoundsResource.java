package io.mmedstream.coordinator.api;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.mmedstream.coordinator.config.CoordinatorRuntime;
import io.mmedstream.coordinator.domain.AsideShard;
import io.mmedstream.coordinator.domain.CoordinatorException;
import io.mmedstream.coordinator.domain.PooledShard;
import io.mmedstream.coordinator.domain.Round;
import io.mmedstream.coordinator.messaging.CoordinatorLoop;

/**
 * The admin API (port 8084): list rounds with their progress, show one, plan a round now, cancel one, look at the
 * pool. Changes go through the coordinator loop and answer once they are committed to the rounds topic.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class RoundsResource {

    /** How long a change may take to be committed before the request gives up (it may still happen). */
    static final Duration COMMIT_WAIT = Duration.ofSeconds(30);

    @Inject
    CoordinatorRuntime runtime;

    /** Every round, newest first, with progress. */
    @GET
    @Path("rounds")
    public List<RoundView> list() {
        CoordinatorLoop.Snapshot snapshot = loop().snapshot();
        return snapshot.rounds().stream()
                .sorted(Comparator.comparing((Round r) -> r.plan().roundId()).reversed())
                .map(r -> RoundView.of(r, false, snapshot.dispatchWaits().get(r.id()))).toList();
    }

    /** One round, with its shards. */
    @GET
    @Path("rounds/{id}")
    public RoundView get(@PathParam("id") String id) {
        CoordinatorLoop.Snapshot snapshot = loop().snapshot();
        return snapshot.rounds().stream().filter(r -> r.id().equals(id)).findFirst()
                .map(r -> RoundView.of(r, true, snapshot.dispatchWaits().get(r.id())))
                .orElseThrow(() -> new CoordinatorException(CoordinatorException.Reason.ROUND_NOT_FOUND,
                        "no round " + id));
    }

    /** Plans a round now from the pool (201 with the round), or 409 when none can be made. */
    @POST
    @Path("rounds")
    public CompletionStage<Response> trigger() {
        return committed(loop().triggerNow(), r -> Response.status(Response.Status.CREATED)
                .header("Location", "/rounds/" + r.id()).entity(RoundView.of(r, true, null)).build());
    }

    /** Cancels a round that has not ended; its shards go back to the pool. */
    @POST
    @Path("rounds/{id}/cancel")
    public CompletionStage<Response> cancel(@PathParam("id") String id) {
        return committed(loop().cancel(id), r -> Response.ok(RoundView.of(r, false, null)).build());
    }

    /** The shards waiting for a round, those kept aside, and the policy's last decision. */
    @GET
    @Path("pool")
    public PoolView pool() {
        CoordinatorLoop.Snapshot snapshot = loop().snapshot();
        List<RoundView.ShardView> waiting = snapshot.pool().stream().map(s -> RoundView.ShardView.of(s, null, null))
                .toList();
        List<RoundView.ShardView> aside = snapshot.aside().stream()
                .map((AsideShard a) -> RoundView.ShardView.of(a.shard(), a.reason(), a.detail())).toList();
        return new PoolView(waiting, snapshot.pool().stream().mapToLong(PooledShard::tokenCount).sum(), aside,
                snapshot.decision(), snapshot.status().state().name());
    }

    private CoordinatorLoop loop() {
        CoordinatorLoop loop = runtime.loop();
        if (loop == null) {
            throw new CoordinatorException(CoordinatorException.Reason.NOT_READY, "the coordinator is starting");
        }
        return loop;
    }

    /** The response once the change is committed, or the error response of its failure. */
    private static CompletionStage<Response> committed(CompletableFuture<Round> change,
            Function<Round, Response> ok) {
        return change.orTimeout(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS).handle((round, failure) -> {
            if (failure == null) {
                return ok.apply(round);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            CoordinatorException error;
            if (cause instanceof CoordinatorException e) {
                error = e;
            } else if (cause instanceof TimeoutException) {
                error = new CoordinatorException(CoordinatorException.Reason.NOT_READY, "the change was not "
                        + "committed within " + COMMIT_WAIT.toSeconds() + "s; look at GET /rounds before retrying");
            } else {
                error = new CoordinatorException(CoordinatorException.Reason.NOT_READY, cause.toString(), cause);
            }
            return new CoordinatorExceptionMapper().toResponse(error);
        });
    }
}
