package dev.cafestack.mocha;

import java.util.List;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.vertx.core.http.HttpServerRequest;

/** Turns failures into clear JSON errors: bad input is a 4xx naming the field, an outage of latte a fast 503. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public RestResponse<ApiError> unavailable(LatteClient.LatteUnavailableException e, HttpServerRequest http) {
        if (LOG.isDebugEnabled()) {
            // The failure may complete on another thread than the request began on (a timeout, the breaker), where the
            // request's log context is not: name the request again, so that its line can be found by x-request-id.
            String requestId = http.getHeader("x-request-id");
            if (requestId != null) {
                MDC.put("x-request-id", requestId);
            }
            LOG.debugf("answering 503: %s", e.getMessage());
        }
        return RestResponse.status(Response.Status.SERVICE_UNAVAILABLE, ApiError.of("latte_unavailable", e.getMessage()));
    }

    @ServerExceptionMapper
    public RestResponse<ApiError> invalid(OrderResource.InvalidOrderException e) {
        return RestResponse.status(Response.Status.BAD_REQUEST,
                new ApiError("invalid_order", e.getMessage(), e.violations()));
    }

    @ServerExceptionMapper
    public RestResponse<ApiError> rejected(LatteClient.OrderRejectedException e) {
        return RestResponse.status(Response.Status.BAD_REQUEST, ApiError.of("order_rejected", e.getMessage()));
    }

    /** Wrong JSON types (e.g. a number for drink): the built-in mapper would answer without a body. */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public RestResponse<ApiError> mismatched(MismatchedInputException e) {
        return malformed(e);
    }

    /** Unparseable JSON arrives wrapped in a 400 WebApplicationException; other web exceptions keep their answer. */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JacksonException json) {
            return malformed(json).toResponse();
        }
        return e.getResponse();
    }

    private static RestResponse<ApiError> malformed(JacksonException e) {
        String field = null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() > 0 ? "." : "").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            field = path.toString();
        }
        String reason = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage().replaceAll("\\s+", " ");
        if (field != null) {
            return RestResponse.status(Response.Status.BAD_REQUEST, new ApiError("malformed_json",
                    "the body is not a valid order", List.of(new ApiError.Violation(field, reason))));
        }
        return RestResponse.status(Response.Status.BAD_REQUEST,
                ApiError.of("malformed_json", "the body is not valid JSON: " + reason));
    }
}
