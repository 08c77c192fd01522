package dev.cafestack.mocha;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.opentelemetry.runtime.tracing.instrumentation.InstrumentationRecorder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * With tracing on (as in the cluster environments), mocha passes the request id and the W3C trace context to latte:
 * the trace id and sampling decision arrive unchanged, the parent span id is mocha's own client span (a child). B3 is
 * not written: the mesh's tracer (Istio's opentelemetry provider) reads W3C only.
 */
@QuarkusTest
@QuarkusTestResource(LatteProcess.class)
class HeaderPropagationTest {

    @Test
    @DisplayName("latte receives the x-request-id, the trace id, the sampling decision and x-ot-span-context")
    void propagatesTracingHeaders() {
        String requestId = "req-" + System.nanoTime();
        String traceId = "463ac35c9f6413ad48485a3953bb6124";
        String spanId = "a2fb4a1d1a96d312";
        given().contentType(ContentType.JSON)
                .header("x-request-id", requestId)
                .header("traceparent", "00-" + traceId + "-" + spanId + "-01")
                .header("x-ot-span-context", "463ac35c9f6413ad;a2fb4a1d1a96d312;0020000000000001;cs")
                .body("{\"drink\":\"latte\",\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(201);

        Map<String, String> received = ReceivedHeaders.of(LatteProcess.current(), requestId);
        assertEquals(requestId, received.get("x-request-id"));
        assertEquals("463ac35c9f6413ad;a2fb4a1d1a96d312;0020000000000001;cs", received.get("x-ot-span-context"));
        String[] traceparent = received.get("traceparent").split("-");
        assertEquals(4, traceparent.length, "a W3C traceparent: " + received.get("traceparent"));
        assertEquals(traceId, traceparent[1], "same trace");
        assertEquals("01", traceparent[3], "same sampling decision");
        assertTrue(traceparent[2].matches("[0-9a-f]{16}"), "a span id: " + traceparent[2]);
        assertNotEquals(spanId, traceparent[2], "mocha's own span sits between the caller and latte");
        assertNull(received.get("x-b3-traceid"), "no B3 headers: nobody in the mesh reads them");

        // latte's JSON log line of that call carries the request id and the trace, so one search finds both services.
        assertEquals(requestId, received.get("mdc.x-request-id"));
        assertEquals(traceId, received.get("mdc.traceId"));
        assertTrue(received.get("mdc.spanId").matches("[0-9a-f]{16}"), "span id in the log: " + received.get("mdc.spanId"));
    }

    @Test
    @DisplayName("an order its caller did not sample makes no span: latte receives the caller's traceparent unchanged and makes none either")
    void unsampledOrderIsPassedOnVerbatim() {
        String requestId = "req-unsampled-" + System.nanoTime();
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
        Map<String, String> received = ReceivedHeaders.ofOrder(LatteProcess.current(), Map.of("x-request-id", requestId,
                "traceparent", traceparent, "tracestate", "rojo=00f067aa0ba902b7"));
        assertEquals(traceparent, received.get("traceparent"), "the caller's span stays the parent: mocha made no span");
        assertEquals("rojo=00f067aa0ba902b7", received.get("tracestate"));
        assertEquals(requestId, received.get("mdc.x-request-id"));
        assertNull(received.get("mdc.traceId"), "latte made no span of the unsampled call, so no trace id in its log");
    }

    @Test
    @DisplayName("an order without a traceparent starts a trace at the environment's ratio (1.0 here): latte receives it as a child, sampled")
    void newTraceAtRatioOne() {
        Map<String, String> received = ReceivedHeaders.ofOrder(LatteProcess.current(),
                Map.of("x-request-id", "req-new-trace-" + System.nanoTime()));
        String[] traceparent = received.get("traceparent").split("-");
        assertEquals("01", traceparent[3], "sampled: " + received.get("traceparent"));
        assertEquals(traceparent[1], received.get("mdc.traceId"), "latte's span joins mocha's trace");
    }

    @Test
    @DisplayName("the trace gate stands in front of Quarkus' HTTP tracing in the running service")
    void gateIsInstalled() {
        assertTrue(InstrumentationRecorder.FACTORY.getVertxTracerDelegator().getDelegate().getClass().getName()
                .endsWith("GatedHttpServerTracing$Gated"), "the Vert.x tracer: "
                + InstrumentationRecorder.FACTORY.getVertxTracerDelegator().getDelegate());
    }
}
