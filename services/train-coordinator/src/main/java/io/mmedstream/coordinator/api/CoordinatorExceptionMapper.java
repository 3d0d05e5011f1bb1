package io.mmedstream.coordinator.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import io.mmedstream.coordinator.domain.CoordinatorException;

/** Maps the coordinator's one exception type to its HTTP status, once. */
@Provider
public class CoordinatorExceptionMapper implements ExceptionMapper<CoordinatorException> {

    @Override
    public Response toResponse(CoordinatorException e) {
        return Response.status(e.reason().httpStatus()).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorView(e.reason().code(), e.getMessage())).build();
    }
}
