package dev.cafestack.mocha;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.http.ContentType;

/** Reads, from latte's JSON log, the tracing headers latte logged for one request id. */
final class ReceivedHeaders {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReceivedHeaders() {
    }

    /**
     * Places a valid order with these headers (one of them {@code x-request-id}), expects 201, and returns what latte
     * received for it ({@link #of}).
     */
    static Map<String, String> ofOrder(LatteProcess latte, Map<String, String> headers) {
        given().contentType(ContentType.JSON).headers(headers)
                .body("{\"drink\":\"latte\",\"size\":\"small\"}")
                .when().post("/api/orders")
                .then().statusCode(201);
        return of(latte, headers.get("x-request-id"));
    }

    /** The headers of the call that carried this x-request-id, and the JSON log line's MDC as "mdc.*". */
    static Map<String, String> of(LatteProcess latte, String requestId) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : latte.log().split("\n")) {
                if (!line.startsWith("{") || !line.contains(requestId)) {
                    continue;
                }
                JsonNode entry = read(line);
                String message = entry.path("message").asText();
                if (!message.startsWith("received cafe.v1.Barista/Brew")) {
                    continue;
                }
                Map<String, String> headers = new HashMap<>();
                for (String word : message.split(" ")) {
                    int eq = word.indexOf('=');
                    if (eq > 0) {
                        headers.put(word.substring(0, eq), word.substring(eq + 1));
                    }
                }
                entry.path("mdc").fields().forEachRemaining(f -> headers.put("mdc." + f.getKey(), f.getValue().asText()));
                return headers;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("latte logged no call with x-request-id " + requestId + "; its log:\n" + latte.log());
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
