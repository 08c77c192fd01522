package dev.cafestack.mocha;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * With mocha's tracing off (the local environment), Istio's headers still reach latte exactly as they came in,
 * so the mesh can join the spans of the request.
 */
@QuarkusTest
@TestProfile(HeaderForwardingWithoutTracingTest.TracingOff.class)
@QuarkusTestResource(LatteProcess.class)
class HeaderForwardingWithoutTracingTest {

    public static class TracingOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "true");
        }
    }

    @Test
    @DisplayName("latte receives the x-request-id and every trace header, W3C and B3, verbatim")
    void forwardsHeadersVerbatim() {
        Map<String, String> sent = Map.of(
                "x-request-id", "req-verbatim-" + System.nanoTime(),
                "traceparent", "00-80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-01",
                "tracestate", "congo=t61rcWkgMzE",
                "x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7",
                "x-b3-spanid", "e457b5a2e4d86bd1",
                "x-b3-parentspanid", "05e3ac9a4f6e3b90",
                "x-b3-sampled", "1",
                "x-b3-flags", "1",
                "x-ot-span-context", "80f198ee56343ba8;e457b5a2e4d86bd1;05e3ac9a4f6e3b90;cs");
        given().contentType(ContentType.JSON).headers(sent)
                .body("{\"drink\":\"espresso\",\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(201);

        Map<String, String> received = ReceivedHeaders.of(LatteProcess.current(), sent.get("x-request-id"));
        sent.forEach((name, value) -> assertEquals(value, received.get(name), name));
    }
}
