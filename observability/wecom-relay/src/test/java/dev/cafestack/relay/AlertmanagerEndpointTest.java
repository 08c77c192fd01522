package dev.cafestack.relay;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.cafestack.relay.WeComStandIn.Request;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(StandInResource.class)
@DisplayName("POST /alertmanager")
class AlertmanagerEndpointTest {

    private static final String TOKEN = "Bearer test-token-0123456789";
    private static final Instant START = Instant.parse("2026-11-25T07:30:00.123456789Z");

    private static io.restassured.response.ValidatableResponse post(String body) {
        return given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(body)
                .when().post("/alertmanager").then();
    }

    private static Request awaitDelivery(Predicate<String> content) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (Request r : StandInResource.robot.delivered()) {
                if (content.test(r.content())) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not delivered within 10 s; the robot got: " + StandInResource.robot.requests());
    }

    @Test
    @DisplayName("a firing critical alert is stored, answered 200 and reaches the robot as markdown with links and mentions")
    void firing() throws Exception {
        post(Payloads.notification("firing", "HighErrorRate", Payloads.alert("firing", "HighErrorRate", "critical",
                "monitoring", "mocha-1", "mocha answers 5xx", START)))
                .statusCode(200).body("alerts", equalTo(1)).body("queued", equalTo(1));
        Request r = awaitDelivery(c -> c.contains("mocha-1"));
        assertThat(r.key()).isEqualTo(SimulatedRelay.OPS_KEY);
        assertThat(r.content()).contains("<font color=\"warning\">🚨 FIRING</font> **HighErrorRate**", "> mocha answers 5xx",
                "severity=critical", "Started: 2026-11-25 15:30:00 CST", "[Source](http://prometheus.test/graph?g0.expr=up)",
                "[Grafana](http://grafana.test)", "[Runbook](https://runbooks.cafe.test/HighErrorRate)", "<@all>");
    }

    @Test
    @DisplayName("a resolved alert arrives as RESOLVED with its end time and no mention; routing by namespace reaches the team robot")
    void resolved() throws Exception {
        post(Payloads.notification("resolved", "LatteDown", Payloads.alert("resolved", "LatteDown", "warning", "ecp-cafe",
                "latte-7", "latte is down", START))).statusCode(200).body("queued", equalTo(1));
        Request r = awaitDelivery(c -> c.contains("latte-7"));
        assertThat(r.key()).isEqualTo(SimulatedRelay.TEAM_KEY);
        assertThat(r.content()).contains("✅ RESOLVED", "Ended: 2026-11-25 15:35:00 CST").doesNotContain("<@");
    }

    @Test
    @DisplayName("Chinese text arrives intact; a description far over 4096 bytes is cut on a character boundary")
    void chinese() throws Exception {
        var alert = Payloads.alert("firing", "磁盘空间不足", "warning", "monitoring", "db-中文", "数据库磁盘使用率超过百分之九十", START);
        @SuppressWarnings("unchecked")
        Map<String, Object> annotations = new java.util.HashMap<>((Map<String, Object>) alert.get("annotations"));
        annotations.put("description", "请立即扩容。".repeat(600));
        alert.put("annotations", annotations);
        post(Payloads.notification("firing", "磁盘空间不足", alert)).statusCode(200);
        Request r = awaitDelivery(c -> c.contains("db-中文"));
        assertThat(r.content()).contains("**磁盘空间不足**", "> 数据库磁盘使用率超过百分之九十", "请立即扩容。",
                "instance=db-中文", "[Runbook](https://runbooks.cafe.test/磁盘空间不足)");
        assertThat(r.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        assertThat(r.content()).doesNotContain("\uFFFD").contains("…");
    }

    @Test
    @DisplayName("a notification of many alerts is stored whole: every alert arrives")
    void manyAlerts() throws Exception {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            alerts.add(Payloads.alert("firing", "PodCrashLooping", "warning", "monitoring", "many-" + i, "restarts", START));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object>[] array = alerts.toArray(new Map[0]);
        post(Payloads.notification("firing", "PodCrashLooping", array)).statusCode(200).body("alerts", equalTo(60))
                .body("queued", equalTo(60));
        for (int i = 0; i < 60; i++) {
            String instance = "many-" + i;
            awaitDelivery(c -> c.contains(instance + ":") || c.contains("instance=" + instance + ","));
        }
    }

    @Test
    @DisplayName("without a bearer token, or with a wrong one: 401 with a JSON error, nothing stored")
    void auth() {
        String body = Payloads.notification("firing", "A", Payloads.alert("firing", "A", "info", "m", "auth-1", "s", START));
        given().contentType(ContentType.JSON).body(body).when().post("/alertmanager").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer")).body("error", equalTo("missing bearer token"));
        given().header("Authorization", "Bearer nope").contentType(ContentType.JSON).body(body).when().post("/alertmanager")
                .then().statusCode(401).body("error", equalTo("wrong bearer token"));
        given().header("Authorization", "Basic dGVzdA==").contentType(ContentType.JSON).body(body).when()
                .post("/alertmanager").then().statusCode(401);
        assertThat(StandInResource.robot.requests()).noneMatch(r -> r.content() != null && r.content().contains("auth-1"));
    }

    @Test
    @DisplayName("malformed JSON, wrong types, missing fields, a wrong version and a huge body are 4xx naming the fault")
    void badPayloads() {
        post("{\"version\": \"4\", ").statusCode(400).body("error", containsString("malformed JSON"));
        post("[1, 2]").statusCode(400).body("error", containsString("JSON object"));
        String good = Payloads.notification("firing", "B", Payloads.alert("firing", "B", "info", "m", "bad-1", "s", START));
        post(good.replace("\"version\":\"4\"", "\"version\":\"3\"")).statusCode(422).body("error", containsString("version"));
        post(good.replace("\"fingerprint\":", "\"fingerprintX\":")).statusCode(400)
                .body("error", equalTo("alerts[0].fingerprint: missing"));
        post(good.replace("\"labels\":{", "\"labels\":{\"n\":5,")).statusCode(400)
                .body("error", equalTo("alerts[0].labels.n: must be a string"));
        post(good.replace("\"status\":\"firing\",\"labels\"", "\"status\":\"burning\",\"labels\"")).statusCode(400)
                .body("error", containsString("alerts[0].status: 'burning' is neither firing nor resolved"));
        post(good.replace("\"startsAt\":\"", "\"startsAt\":\"yesterday")).statusCode(400)
                .body("error", containsString("alerts[0].startsAt"));
        post(good.replace("\"alerts\":[", "\"alerts\":[],\"x\":[")).statusCode(400).body("error", containsString("alerts: empty"));
        post(good.replace("\"receiver\":\"wecom\"", "\"receiver\":7")).statusCode(400)
                .body("error", equalTo("receiver: must be a string, got number"));
        String huge = good.replace("\"summary\":\"s\"", "\"summary\":\"" + "x".repeat(70_000) + "\"");
        post(huge).statusCode(413).body("error", containsString("larger than 65536 bytes"));
        assertThat(StandInResource.robot.requests()).noneMatch(r -> r.content() != null && r.content().contains("bad-1"));
    }

    @Test
    @DisplayName("serves the relay's metrics under their exact names, and is ready while the store is writable")
    void metricsAndHealth() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("relay_notifications_received_total", "relay_messages_sent_total{result=\"ok\"}",
                "relay_messages_sent_total{result=\"retry\"}", "relay_messages_sent_total{result=\"failed\"}",
                "relay_queue_depth", "relay_oldest_pending_seconds", "relay_delivery_failures_total{reason=\"rate_limited\"}",
                "relay_delivery_failures_total{reason=\"invalid_key\"}", "relay_delivery_failures_total{reason=\"too_long\"}");
        given().when().get("/q/health/ready").then().statusCode(200).body("checks[0].name", equalTo("store"))
                .body("checks[0].status", equalTo("UP"));
    }
}
