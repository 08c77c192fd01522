package dev.cafestack.mocha;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** mocha's order API against a real latte process over gRPC. */
@QuarkusTest
@QuarkusTestResource(LatteProcess.class)
class OrderApiTest {

    @Test
    @DisplayName("an order is brewed by latte and the answer names the latte pod and version that served it")
    void ordersADrink() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"latte\",\"size\":\"large\",\"notes\":\"oat milk\"}")
                .when().post("/api/orders")
                .then().statusCode(201)
                .body("drink", equalTo("latte"))
                .body("size", equalTo("large"))
                .body("notes", equalTo("oat milk"))
                .body("price", equalTo(4.00f))
                .body(containsString("\"price\":4.00,")) // the price as the menu writes it, decimals kept
                .body("currency", equalTo("EUR"))
                .body("brewTimeMillis", equalTo(78125))
                .body("servedBy.pod", equalTo(LatteProcess.POD))
                .body("servedBy.version", equalTo("v1"));
    }

    @Test
    @DisplayName("a drink that is not on the menu is a 400 naming the field and the drinks on offer")
    void rejectsDrinkNotOnTheMenu() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"tea\",\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("error", equalTo("invalid_order"))
                .body("violations", hasSize(1))
                .body("violations[0].field", equalTo("drink"))
                .body("violations[0].reason", equalTo("'tea' is not on the menu; choose one of: espresso, latte, matcha"));
    }

    @Test
    @DisplayName("every invalid field is reported at once: missing size, notes over the limit")
    void reportsEveryInvalidField() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"espresso\",\"notes\":\"a very long note indeed\"}")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("violations.field", contains("size", "notes"))
                .body("violations[0].reason", equalTo("is required; espresso comes in: small, medium"))
                .body("violations[1].reason", equalTo("is 23 characters; at most 20 are accepted"));
    }

    @Test
    @DisplayName("a size the drink does not come in is a 400 naming the sizes it comes in")
    void rejectsSizeNotServed() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"espresso\",\"size\":\"large\"}")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("violations[0].field", equalTo("size"))
                .body("violations[0].reason", equalTo("'large' is not served for espresso; choose one of: small, medium"));
    }

    @Test
    @DisplayName("a drink mocha sells but latte cannot brew is latte's INVALID_ARGUMENT, passed on as a 400")
    void passesOnLattesValidation() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"matcha\",\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("error", equalTo("order_rejected"))
                .body("message", equalTo("drink 'matcha' is unknown; allowed drinks: americano, cappuccino, espresso,"
                        + " flat-white, latte, mocha"));
    }

    @Test
    @DisplayName("malformed JSON is a 400 that says so")
    void rejectsMalformedJson() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"latte\",")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("error", equalTo("malformed_json"))
                .body("message", containsString("the body is not valid JSON"));
    }

    @Test
    @DisplayName("a field of the wrong JSON type is a 400 naming the field")
    void rejectsWrongTypes() {
        given().contentType(ContentType.JSON).body("{\"drink\":[\"latte\"],\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("error", equalTo("malformed_json"))
                .body("violations[0].field", equalTo("drink"));
    }

    @Test
    @DisplayName("an empty body is a 400 asking for an order object")
    void rejectsEmptyBody() {
        given().contentType(ContentType.JSON).body("")
                .when().post("/api/orders")
                .then().statusCode(400)
                .body("violations[0].field", equalTo("body"));
    }

    @Test
    @DisplayName("the menu is served from the configuration file: drinks by name, sizes cheapest first, prices as written")
    void servesTheMenu() {
        given().when().get("/api/menu")
                .then().statusCode(200)
                .body("currency", equalTo("EUR"))
                .body("drinks.latte.small", equalTo(3.20f))
                .body("drinks.latte.large", equalTo(4.00f))
                .body(containsString("\"latte\":{\"small\":3.20,\"medium\":3.60,\"large\":4.00}"))
                .body("drinks.espresso.large", nullValue());
    }

    @Test
    @DisplayName("mocha is live, and ready because latte is")
    void readyWhileLatteIs() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("latte"));
    }

    @Test
    @DisplayName("Prometheus metrics carry HTTP server and gRPC client latency histograms with bounded tags")
    void exposesHistograms() {
        given().contentType(ContentType.JSON).body("{\"drink\":\"latte\",\"size\":\"small\"}").post("/api/orders");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds_bucket{"))
                .body(containsString("uri=\"/api/orders\""))
                .body(containsString("grpc_client_processing_duration_seconds_bucket{"))
                .body(containsString("method=\"Brew\""));
    }

    @Test
    @DisplayName("its JVM meters are cafe-common's (memory, collections), without Micrometer's heap-pressure meters")
    void exposesJvmMeters() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_max_bytes{"))
                .body(containsString("jvm_gc_memory_allocated_bytes_total "))
                .body(not(containsString("jvm_gc_overhead")));
    }

    @Test
    @DisplayName("metrics carry no trace exemplars, even for a sampled request (Prometheus stores none)")
    void noExemplars() {
        given().contentType(ContentType.JSON).header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .body("{\"drink\":\"latte\",\"size\":\"small\"}").post("/api/orders").then().statusCode(201);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds_bucket{"))
                .body(not(containsString("trace_id=")));
    }
}
