package dev.cafestack.mocha;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** latte goes away and comes back: mocha answers fast with a clear 503, opens its breaker, and recovers. */
@QuarkusTest
@QuarkusTestResource(LatteProcess.class)
class LatteOutageTest {

    /** A bound on one order while latte is down: the gRPC deadline of one try (1 s here) and the fast retries. */
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    @Test
    @DisplayName("with latte down mocha answers 503 within its deadline, opens the circuit, turns unready, and recovers")
    void survivesALatteOutage() {
        LatteProcess latte = LatteProcess.current();
        order().then().statusCode(201);

        latte.stopLatte();
        try {
            long start = System.nanoTime();
            Response first = order();
            long elapsed = System.nanoTime() - start;
            first.then().statusCode(503)
                    .body("error", equalTo("latte_unavailable"))
                    // "latte is unavailable: ..." or, once its retries tripped the breaker, "latte is failing; ... (circuit open)"
                    .body("message", startsWith("latte is "));
            assertTrue(elapsed < DEADLINE.toNanos(), "answered in " + elapsed / 1_000_000 + " ms");

            // A few more failures and the breaker opens: the answer no longer waits for latte at all.
            String message = "";
            for (int i = 0; i < 10 && !message.contains("circuit open"); i++) {
                Response r = order();
                assertEquals(503, r.statusCode());
                message = r.jsonPath().getString("message");
            }
            assertTrue(message.contains("circuit open"), "breaker opened: " + message);
            // Read when scraped: the breaker can be half-open for a moment, a trial call to the stopped latte in flight
            // (a retry of an order still running when its 503 went out), and opens again once that call fails.
            double open = circuitState("open");
            for (long until = System.nanoTime() + Duration.ofSeconds(5).toNanos(); open != 1.0 && System.nanoTime() < until; ) {
                sleep(100);
                open = circuitState("open");
            }
            assertEquals(1.0, open, "the breaker's gauge shows it open");
            assertEquals(0.0, circuitState("closed"));

            given().get("/q/health/ready").then().statusCode(503);
        } finally {
            latte.startLatte();
        }

        // Recovery: after the breaker's delay a trial call goes through and orders flow again.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int status = 0;
        while (status != 201 && System.nanoTime() < deadline) {
            status = order().statusCode();
            if (status != 201) {
                sleep(200);
            }
        }
        assertEquals(201, status, "mocha recovered once latte was back");
        assertEquals(0.0, circuitState("open"), "the breaker's gauge no longer shows it open");
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** The value of {@code cafe_latte_circuit_state{state="<state>"}} as Prometheus scrapes it. */
    private static double circuitState(String state) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("cafe_latte_circuit_state{") && l.contains("state=\"" + state + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no cafe_latte_circuit_state{state=\"" + state + "\"} in\n" + metrics));
    }

    private static Response order() {
        return given().contentType(ContentType.JSON).body("{\"drink\":\"latte\",\"size\":\"small\"}")
                .when().post("/api/orders");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
