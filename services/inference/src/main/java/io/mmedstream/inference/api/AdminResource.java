package io.mmedstream.inference.api;

import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.InferenceException;
import io.mmedstream.inference.service.ModelRouter;

/**
 * Operator endpoints: {@code POST /admin/promote} switches the serving model (until the ModelPromoted consumer
 * does it from Kafka), {@code GET /admin/model} shows it. Runs on a worker thread: a promotion blocks until the old
 * version is unloaded.
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    /** A promotion: the Triton model name and version, and optionally the checkpoint it serves. */
    public record PromoteRequest(@JsonProperty("model") String model, @JsonProperty("version") String version,
                                 @JsonProperty("checkpoint_id") String checkpointId) {
    }

    /** The serving model. */
    public record ModelView(@JsonProperty("model") String model, @JsonProperty("version") String version,
                            @JsonProperty("checkpoint_id") String checkpointId,
                            @JsonProperty("serving_since") String servingSince) {
    }

    @Inject
    ModelRouter router;

    @POST
    @Path("/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public ModelView promote(PromoteRequest request) {
        if (request == null || request.model() == null || request.model().isBlank()) {
            throw InferenceException.invalid("model", "must not be empty");
        }
        if (request.version() == null || request.version().isBlank()) {
            throw InferenceException.invalid("version", "must not be empty");
        }
        router.promote(new ServingModel(request.model(), request.version(), request.checkpointId(),
                Optional.empty()));
        return model();
    }

    @GET
    @Path("/model")
    public ModelView model() {
        ServingModel.Serving s = router.serving().orElseThrow(() -> new InferenceException(
                InferenceException.Reason.NO_MODEL, "no model is ready to serve"));
        return new ModelView(s.model().name(), s.model().version(), s.model().checkpointId(), s.since().toString());
    }

    /** The HTTP side of the service's failures. */
    @Provider
    public static class Errors implements ExceptionMapper<InferenceException> {
        @Override
        public Response toResponse(InferenceException e) {
            int status = switch (e.reason()) {
                case INVALID_ARGUMENT -> 400;
                case NO_MODEL, OVERLOADED -> 503;
                case PROMOTION_FAILED -> 409;
                case BACKEND -> 502;
            };
            return Response.status(status).type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorBody(e.reason().name(), e.getMessage())).build();
        }
    }

    /** An error as JSON. */
    public record ErrorBody(@JsonProperty("reason") String reason, @JsonProperty("message") String message) {
    }
}
