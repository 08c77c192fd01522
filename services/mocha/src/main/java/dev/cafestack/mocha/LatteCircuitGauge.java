package dev.cafestack.mocha;

import java.util.Locale;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * The state of the circuit breaker on mocha's latte calls as a Prometheus gauge, {@code cafe_latte_circuit_state}, one
 * series per state ({@code closed}, {@code open}, {@code half_open}) with 1 for the current one. It is read when
 * Prometheus scrapes, so it costs nothing per order (Fault Tolerance's own per-call metrics are off, see
 * application.properties).
 */
@Startup
@Singleton
public class LatteCircuitGauge {

    /** The name of the breaker on {@link LatteClient#brew}. */
    public static final String BREAKER = "latte";

    LatteCircuitGauge(MeterRegistry registry, CircuitBreakerMaintenance breakers) {
        for (CircuitBreakerState state : CircuitBreakerState.values()) {
            Gauge.builder("cafe.latte.circuit.state", breakers, b -> b.currentState(BREAKER) == state ? 1 : 0)
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .description("1 for the current state of the circuit breaker on mocha's calls to latte")
                    .register(registry);
        }
    }
}
