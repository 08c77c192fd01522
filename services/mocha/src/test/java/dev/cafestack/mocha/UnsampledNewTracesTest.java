package dev.cafestack.mocha;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Tracing on, but no new traces (cafe.trace.sampling=0): an order that arrives without a traceparent is not traced,
 * and mocha tells latte so, as OpenTelemetry would for a span it does not record. Without that, latte (which samples
 * new traces at its own ratio, 1.0 in these tests) would start traces of its own for orders mocha did not sample.
 */
@QuarkusTest
@TestProfile(UnsampledNewTracesTest.NoNewTraces.class)
@QuarkusTestResource(LatteProcess.class)
class UnsampledNewTracesTest {

    public static class NoNewTraces implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cafe.trace.sampling", "0");
        }
    }

    @Test
    @DisplayName("an order without a traceparent that the gate does not pick reaches latte as a new, unsampled trace, and latte makes no span")
    void declinedTraceReachesLatteUnsampled() {
        String first = send("req-declined-1-" + System.nanoTime());
        String second = send("req-declined-2-" + System.nanoTime());
        assertNotEquals(first.substring(3, 35), second.substring(3, 35), "each order is a trace of its own");
    }

    private static String send(String requestId) {
        Map<String, String> received = ReceivedHeaders.ofOrder(LatteProcess.current(), Map.of("x-request-id", requestId));
        String traceparent = received.get("traceparent");
        assertTrue(traceparent != null && traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"),
                "a valid traceparent with the sampled flag off: " + traceparent);
        assertNull(received.get("mdc.traceId"), "latte followed the decision and made no span");
        return traceparent;
    }
}
