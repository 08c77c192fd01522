package dev.cafestack.mocha;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.cafestack.api.v1.BrewReply;
import dev.cafestack.api.v1.BrewRequest;
import dev.cafestack.common.tracing.TraceGate;
import dev.cafestack.mocha.config.Price;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** mocha's HTTP API. Non-blocking end to end: the order is checked, brewed by latte over gRPC, and answered. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {

    private final Menu menu;
    private final LatteClient latte;
    private final TraceGate gate;
    private final CircuitBreakerMaintenance breakers;

    OrderResource(Menu menu, LatteClient latte, TraceGate gate, CircuitBreakerMaintenance breakers) {
        this.menu = menu;
        this.latte = latte;
        this.gate = gate;
        this.breakers = breakers;
    }

    /**
     * The order it answers, typed, with its status declared: Quarkus chooses the JSON writer once, at build time, and
     * builds one response per answer, only to encode its headers. (Returning {@code RestResponse<Object>} made it look
     * the writer up for every answer, and build the RestResponse, then a Response from it, each with its header map.)
     * An order that cannot be brewed is an {@link InvalidOrderException}, answered 400 by {@link ErrorMappers}.
     */
    @POST
    @Path("/orders")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    public Uni<Order> order(OrderRequest order, HttpServerRequest http) {
        String requestId = ForwardedHeaders.capture(http, gate);
        if (requestId != null) {
            MDC.put("x-request-id", requestId);
        }
        List<ApiError.Violation> violations = menu.check(order);
        if (!violations.isEmpty()) {
            return Uni.createFrom().failure(new InvalidOrderException(violations));
        }
        BrewRequest request = BrewRequest.newBuilder()
                .setDrink(order.drink())
                .setSize(order.size())
                .setNotes(order.notes() == null ? "" : order.notes())
                .build();
        Price price = menu.price(order);
        return brew(request).map(reply -> toOrder(reply, price));
    }

    /**
     * {@link LatteClient#brew}, unless its circuit breaker is open: then the order gets the breaker's answer at once
     * ({@link LatteClient#circuitOpen}), as its fallback would give it, without the call. For each call it refuses, the
     * breaker creates a {@code CircuitBreakerOpenException} with a stack trace of the whole reactive call chain: with
     * latte down, mocha allocated about 16 KiB per 503 (about 11 KiB once this answers instead), collected its young
     * generation every 30 ms, and the sampled orders' spans that waited longest for their batch outlived 15 collections
     * and filled the old generation with garbage (docs/sizing-log.md, "The open circuit's refusals answered before the
     * breaker"). Reading the state changes nothing: the breaker moves from open to half-open on its own timer after its
     * delay (a task Fault Tolerance runs on Quarkus' worker pool, idle in mocha, whose endpoints do not block; before,
     * the first call after the delay could make the move too), and its trial calls then go through it as before.
     */
    private Uni<BrewReply> brew(BrewRequest request) {
        if (breakers.currentState(LatteCircuitGauge.BREAKER) == CircuitBreakerState.OPEN) {
            return Uni.createFrom().failure(LatteClient.circuitOpen());
        }
        return latte.brew(request);
    }

    @GET
    @Path("/menu")
    public MenuView menu() {
        return new MenuView(menu.currency(), menu.drinks());
    }

    private Order toOrder(BrewReply reply, Price price) {
        return new Order(reply.getDrink(), reply.getSize(), reply.getNotes().isEmpty() ? null : reply.getNotes(), price,
                menu.currency(), reply.getBrewTimeMillis(), new Order.ServedBy(reply.getPod(), reply.getVersion()));
    }

    /** An order that cannot be brewed as given: the fields at fault (400). No stack trace: an answer, not a bug. */
    public static class InvalidOrderException extends RuntimeException {
        private final List<ApiError.Violation> violations;

        InvalidOrderException(List<ApiError.Violation> violations) {
            super("the order cannot be brewed as given", null, false, false);
            this.violations = violations;
        }

        public List<ApiError.Violation> violations() {
            return violations;
        }
    }

    /** The menu as served: currency, and drink -> size -> price. */
    public record MenuView(String currency, Map<String, Map<String, Price>> drinks) {
    }

}
