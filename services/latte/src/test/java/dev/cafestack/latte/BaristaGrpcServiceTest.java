package dev.cafestack.latte;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.cafestack.api.v1.Barista;
import dev.cafestack.api.v1.BrewReply;
import dev.cafestack.api.v1.BrewRequest;
import grpc.health.v1.Health;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BaristaGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @GrpcClient("latte")
    Barista latte;

    @GrpcClient("latte")
    Health health;

    @Test
    @DisplayName("brews a known drink and says which pod and version brewed it")
    void brewsAKnownDrink() {
        BrewReply reply = latte.brew(request("latte", "large", "oat milk")).await().atMost(WAIT);

        assertEquals("latte", reply.getDrink());
        assertEquals("large", reply.getSize());
        assertEquals("oat milk", reply.getNotes());
        // 50 s base for a small latte, x1.25 per size step: large = 50 * 1.25^2
        assertEquals(78125, reply.getBrewTimeMillis());
        assertEquals("latte-test-pod", reply.getPod());
        assertEquals("v1", reply.getVersion());
    }

    @Test
    @DisplayName("a bigger cup takes longer to brew than a smaller one")
    void biggerCupsTakeLonger() {
        long small = latte.brew(request("espresso", "small", "")).await().atMost(WAIT).getBrewTimeMillis();
        long medium = latte.brew(request("espresso", "medium", "")).await().atMost(WAIT).getBrewTimeMillis();
        assertTrue(medium > small, medium + " should exceed " + small);
    }

    @Test
    @DisplayName("an unknown drink is INVALID_ARGUMENT naming the drinks it can brew")
    void rejectsUnknownDrink() {
        StatusRuntimeException e = brewFails(request("tea", "small", ""));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("drink 'tea' is unknown; allowed drinks: americano, cappuccino, espresso, flat-white, latte, mocha",
                e.getStatus().getDescription());
    }

    @Test
    @DisplayName("an unknown size is INVALID_ARGUMENT naming the sizes it serves")
    void rejectsUnknownSize() {
        StatusRuntimeException e = brewFails(request("latte", "huge", ""));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("size 'huge' is unknown; allowed sizes: small, medium, large", e.getStatus().getDescription());
    }

    @Test
    @DisplayName("a missing drink or size is INVALID_ARGUMENT saying which field is required")
    void rejectsMissingFields() {
        assertEquals("drink is required; allowed drinks: americano, cappuccino, espresso, flat-white, latte, mocha",
                brewFails(BrewRequest.newBuilder().setSize("small").build()).getStatus().getDescription());
        assertEquals("size is required; allowed sizes: small, medium, large",
                brewFails(BrewRequest.newBuilder().setDrink("latte").build()).getStatus().getDescription());
    }

    @Test
    @DisplayName("serves the standard gRPC health service as SERVING")
    void servesGrpcHealth() {
        var reply = health.check(HealthCheckRequest.newBuilder().build()).await().atMost(WAIT);
        assertEquals(ServingStatus.SERVING, reply.getStatus());
    }

    @Test
    @DisplayName("is live and ready over HTTP once the gRPC server runs")
    void liveAndReady() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200).body(containsString("gRPC Server"));
    }

    @Test
    @DisplayName("exposes a Prometheus latency histogram of the Brew calls it served")
    void exposesGrpcServerHistogram() {
        latte.brew(request("mocha", "small", "")).await().atMost(WAIT);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("grpc_server_processing_duration_seconds_bucket{"))
                .body(containsString("method=\"Brew\""))
                .body(containsString("le=\"0.005\""));
    }

    @Test
    @DisplayName("its JVM meters are cafe-common's, bound by Quarkus in place of its own JVM binder: no heap-pressure pair")
    void exposesJvmMeters() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes{"))
                .body(containsString("jvm_threads_live_threads "))
                .body(containsString("jvm_info_total{"))
                .body(not(containsString("jvm_gc_overhead")))
                .body(not(containsString("jvm_memory_usage_after_gc")));
    }

    private StatusRuntimeException brewFails(BrewRequest request) {
        return assertThrows(StatusRuntimeException.class, () -> latte.brew(request).await().atMost(WAIT));
    }

    private static BrewRequest request(String drink, String size, String notes) {
        return BrewRequest.newBuilder().setDrink(drink).setSize(size).setNotes(notes).build();
    }
}
