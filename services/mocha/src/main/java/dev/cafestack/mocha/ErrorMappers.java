package dev.cafestack.mocha;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;

/** Turns failures into clear JSON errors: bad input is a 4xx naming the field, an outage of latte a fast 503. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public RestResponse<ApiError> unavailable(LatteClient.LatteUnavailableException e) {
        LOG.debugf("answering 503: %s", e.getMessage());
        return RestResponse.status(Response.Status.SERVICE_UNAVAILABLE, ApiError.of("latte_unavailable", e.getMessage()));
    }

    @ServerExceptionMapper
    public RestResponse<ApiError> rejected(LatteClient.OrderRejectedException e) {
        return RestResponse.status(Response.Status.BAD_REQUEST, ApiError.of("order_rejected", e.getMessage()));
    }

    @ServerExceptionMapper
    public RestResponse<ApiError> unreadable(JacksonException e) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty() ? m.getPathReference() : null;
        String message = "the body is not a valid order JSON object"
                + (field != null ? " (at " + field.replaceFirst("^[^\\[]*", "") + ")" : "")
                + ": " + e.getOriginalMessage();
        return RestResponse.status(Response.Status.BAD_REQUEST, ApiError.of("malformed_json", message));
    }
}
