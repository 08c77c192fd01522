package dev.cafestack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.relay.WeComStandIn.Request;

/**
 * The real Alertmanager (Debian's prometheus-alertmanager) with a webhook receiver pointing at the packaged relay, with
 * the bearer token from the same file (credentials_file): alerts posted to Alertmanager's API reach the stand-in robot.
 */
@DisplayName("Alertmanager -> relay -> robot, end to end")
class AlertmanagerEndToEndIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final WeComStandIn robot = new WeComStandIn(Clock.systemUTC(), Set.of(SimulatedRelay.OPS_KEY, SimulatedRelay.TEAM_KEY));
    private Process alertmanager;

    @AfterEach
    void close() {
        if (alertmanager != null) {
            alertmanager.destroyForcibly();
        }
        robot.close();
    }

    static Path alertmanagerBinary() {
        Optional<Path> found = Stream.concat(Stream.of("/usr/bin"), Stream.of(System.getenv("PATH").split(":")))
                .flatMap(d -> Stream.of(Path.of(d, "prometheus-alertmanager"), Path.of(d, "alertmanager")))
                .filter(Files::isExecutable).findFirst();
        return found.orElseThrow(() -> new AssertionError("Alertmanager is not installed: this test runs the real binary. "
                + "Install it with: apt-get install -y prometheus-alertmanager (.ci/run does)"));
    }

    private Request await(Predicate<Request> what, String description, RelayProcess relay) {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Request> found = robot.delivered().stream().filter(what).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            RelayProcess.sleep(100);
        }
        throw new AssertionError(description + " did not arrive within 40 s; robot got " + robot.requests()
                + "\nrelay log:\n" + relay.log() + "\nalertmanager log:\n" + read(dir.resolve("alertmanager.log")));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(none)";
        }
    }

    private static int postAlerts(int port, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    @DisplayName("a critical alert posted to Alertmanager reaches both routed robots; its resolution follows")
    void alertsArriveThroughTheRelay() throws Exception {
        Path binary = alertmanagerBinary();
        try (RelayProcess relay = new RelayProcess(dir.resolve("relay.mv.db"), robot.url(), dir.resolve("relay.log")).start()) {
            Path config = dir.resolve("alertmanager.yml");
            Files.writeString(config, """
                    route:
                      receiver: wecom
                      group_by: [alertname]
                      group_wait: 1s
                      group_interval: 1s
                      repeat_interval: 1h
                    receivers:
                      - name: wecom
                        webhook_configs:
                          - url: %s/alertmanager
                            send_resolved: true
                            http_config:
                              authorization:
                                credentials_file: %s
                    """.formatted(relay.url(), RelayProcess.tokenFile()));
            int port = RelayProcess.freePort();
            alertmanager = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("am"),
                    "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not yet
                }
                assertThat(alertmanager.isAlive()).as(() -> "alertmanager runs: " + read(dir.resolve("alertmanager.log"))).isTrue();
                assertThat(System.nanoTime()).as("alertmanager ready within 30 s").isLessThan(deadline);
                RelayProcess.sleep(100);
            }

            Instant start = Instant.now().minusSeconds(60);
            String alert = """
                    [{"labels": {"alertname": "CafeEndToEnd", "severity": "critical", "namespace": "ecp-cafe", "instance": "e2e-1"},
                      "annotations": {"summary": "端到端：告警经由中继到达群机器人", "runbook_url": "https://runbooks.cafe.test/e2e"},
                      "generatorURL": "http://prometheus.test/graph?g0.expr=up",
                      "startsAt": "%s"%s}]""";
            assertThat(postAlerts(port, alert.formatted(start, ""))).isEqualTo(200);
            Predicate<Request> firing = r -> r.content().contains("FIRING") && r.content().contains("**CafeEndToEnd**")
                    && r.content().contains("端到端：告警经由中继到达群机器人") && r.content().contains("instance=e2e-1");
            Request ops = await(firing.and(r -> r.key().equals(SimulatedRelay.OPS_KEY)), "the firing alert at ops", relay);
            await(firing.and(r -> r.key().equals(SimulatedRelay.TEAM_KEY)), "the firing alert at cafe-team", relay);
            assertThat(ops.content()).contains("[Runbook](https://runbooks.cafe.test/e2e)", "<@all>");

            assertThat(postAlerts(port, alert.formatted(start, ", \"endsAt\": \"" + Instant.now().minusSeconds(1) + "\""))).isEqualTo(200);
            await(r -> r.content().contains("RESOLVED") && r.content().contains("instance=e2e-1")
                    && r.key().equals(SimulatedRelay.OPS_KEY), "the resolution at ops", relay);
            await(r -> r.content().contains("RESOLVED") && r.content().contains("instance=e2e-1")
                    && r.key().equals(SimulatedRelay.TEAM_KEY), "the resolution at cafe-team", relay);
            List<Request> firingAtOps = robot.delivered().stream().filter(firing.and(r -> r.key().equals(SimulatedRelay.OPS_KEY))).toList();
            assertThat(firingAtOps).as("Alertmanager's re-sends of the group are not repeated").hasSize(1);
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!relay.metrics().contains("relay_queue_depth 0.0") && System.nanoTime() < until) {
                RelayProcess.sleep(50);
            }
            assertThat(relay.metrics()).contains("relay_queue_depth 0.0", "relay_notifications_received_total 2.0");
        }
    }
}
