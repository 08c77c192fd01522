package dev.cafestack.observability.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

/**
 * The real Alertmanager (Debian's prometheus-alertmanager) with the local environment's rendered alertmanager.yml; only
 * the relay's address and the token file's path are pointed at this machine (a stand-in relay that records what it
 * receives, and a token file). A critical and two warnings go in; the relay must get the critical one on the critical
 * route and the warning of the other service, each with the bearer token read from the file, and never the warning the
 * critical one mutes.
 */
@DisplayName("the real Alertmanager, with the rendered configuration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertmanagerDeliversToTheRelayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "it-token-" + System.nanoTime();

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer relay;
    private Process alertmanager;
    private Path work;
    private String api;

    record Delivery(String path, String authorization, JsonNode body) {
    }

    @BeforeAll
    void start() throws Exception {
        Path binary = Tool.ALERTMANAGER.path();
        work = Files.createTempDirectory("alertmanager-it-");
        relay = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        relay.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            deliveries.add(new Delivery(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), JSON.readTree(body)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        relay.start();

        Path token = Files.writeString(work.resolve("token"), TOKEN + "\n");
        ObjectNode config = (ObjectNode) Monitoring.yaml(Monitoring.config("local").resolve("alertmanager.yml"));
        for (JsonNode receiver : config.path("receivers")) {
            for (JsonNode webhook : receiver.path("webhook_configs")) {
                URI rendered = URI.create(webhook.path("url").asText());
                ((ObjectNode) webhook).put("url", "http://127.0.0.1:" + relay.getAddress().getPort() + rendered.getPath());
                ((ObjectNode) webhook.path("http_config").path("authorization")).put("credentials_file", token.toString());
            }
        }
        Path file = work.resolve("alertmanager.yml");
        Monitoring.YAML.writeValue(file.toFile(), config);

        int port = freePort();
        api = "http://127.0.0.1:" + port;
        alertmanager = new ProcessBuilder(binary.toString(), "--config.file=" + file, "--storage.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(work.resolve("alertmanager.log").toFile()).start();
        await(Duration.ofSeconds(30), () -> get("/-/ready") == 200);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (alertmanager != null) {
            alertmanager.destroy();
            if (!alertmanager.waitFor(10, TimeUnit.SECONDS)) {
                alertmanager.destroyForcibly();
            }
        }
        if (relay != null) {
            relay.stop(0);
        }
    }

    @Test
    @DisplayName("delivers critical and warning alerts to the relay with the bearer token; a critical alert mutes its service's warnings")
    void deliversToTheRelay() throws Exception {
        ArrayNode alerts = JSON.createArrayNode();
        alerts.add(alert("CafeServiceDown", "critical", "mocha"));
        alerts.add(alert("CafeErrorRatioElevated", "warning", "mocha"));
        alerts.add(alert("CafeLatencyP99High", "warning", "latte"));
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v2/alerts"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alerts.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

        // critical: group_wait 10 s; warning: group_wait 30 s (the rendered routes), plus a margin.
        await(Duration.ofSeconds(60), () -> deliveries.size() >= 2);
        Thread.sleep(3000); // anything muted would have been sent with the warning group by now

        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.path()).isEqualTo("/alertmanager");
            assertThat(d.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(d.body().path("version").asText()).isEqualTo("4");
            assertThat(d.body().path("status").asText()).isEqualTo("firing");
        });
        assertThat(deliveries).extracting(d -> d.body().path("receiver").asText() + " "
                + d.body().path("commonLabels").path("alertname").asText() + " "
                + d.body().path("commonLabels").path("service").asText())
                .containsExactlyInAnyOrder("wecom-critical CafeServiceDown mocha", "wecom-warning CafeLatencyP99High latte");
    }

    private static ObjectNode alert(String name, String severity, String service) {
        ObjectNode alert = JSON.createObjectNode();
        alert.putObject("labels").put("alertname", name).put("severity", severity).put("service", service)
                .put("namespace", "ecp-cafe").put("app", service);
        alert.putObject("annotations").put("summary", name + " " + service)
                .put("runbook_url", "docs/runbooks.md#" + name.toLowerCase());
        return alert;
    }

    private int get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(api + path)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private void await(Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alertmanager.isAlive()) {
                throw new AssertionError("Alertmanager exited: " + Files.readString(work.resolve("alertmanager.log"), StandardCharsets.UTF_8));
            }
            if (check.ok()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within " + timeout + "; deliveries " + deliveries + "; log "
                + Files.readString(work.resolve("alertmanager.log"), StandardCharsets.UTF_8));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
