package dev.cafestack.mocha;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * With tracing on (as in the cluster environments), mocha passes the request id and the B3 context to latte:
 * the trace id and sampling decision arrive unchanged, the span id is mocha's own client span (a child).
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
                .header("x-b3-traceid", traceId)
                .header("x-b3-spanid", spanId)
                .header("x-b3-parentspanid", "0020000000000001")
                .header("x-b3-sampled", "1")
                .header("x-ot-span-context", "463ac35c9f6413ad;a2fb4a1d1a96d312;0020000000000001;cs")
                .body("{\"drink\":\"latte\",\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(201);

        Map<String, String> received = ReceivedHeaders.of(LatteProcess.current(), requestId);
        assertEquals(requestId, received.get("x-request-id"));
        assertEquals(traceId, received.get("x-b3-traceid"), "same trace");
        assertEquals("1", received.get("x-b3-sampled"), "same sampling decision");
        assertEquals("463ac35c9f6413ad;a2fb4a1d1a96d312;0020000000000001;cs", received.get("x-ot-span-context"));
        String childSpan = received.get("x-b3-spanid");
        assertTrue(childSpan != null && childSpan.matches("[0-9a-f]{16}"), "a span id: " + childSpan);
        assertNotEquals(spanId, childSpan, "mocha's own span sits between the caller and latte");
        assertTrue(received.get("traceparent").startsWith("00-" + traceId + "-"), "W3C context of the same trace");

        // latte's JSON log line of that call carries the request id and the trace, so one search finds both services.
        assertEquals(requestId, received.get("mdc.x-request-id"));
        assertEquals(traceId, received.get("mdc.traceId"));
        assertTrue(received.get("mdc.spanId").matches("[0-9a-f]{16}"), "span id in the log: " + received.get("mdc.spanId"));
    }
}
