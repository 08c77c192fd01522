package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.client.KubernetesClient;

import dev.cafestack.tests.goals.ApiServerStandIn;

/**
 * The panels command against a mock API server: the rendered manifests declare four panels (and a Service that is no
 * panel); the cluster has Grafana with a running pod, Prometheus without one, Headlamp with a numeric target port,
 * and no Kibana at all.
 */
class PanelsTest {

    @TempDir
    Path root;

    private ApiServerStandIn api;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void cluster() {
        Fixtures.rendered(root, "observability/grafana", "dev",
                Fixtures.panelService("monitoring", "grafana", "Grafana", "http", 3000, "http", "/dashboards",
                        "user admin; password: kubectl -n monitoring get secret grafana-admin"),
                Fixtures.panelService("monitoring", "prometheus", "Prometheus", "web", 9090, "web", null, "no login"),
                Fixtures.plainService("monitoring", "wecom-relay", 8080));
        Fixtures.rendered(root, "observability/efk", "dev",
                Fixtures.panelService("logging", "kibana", "Kibana", "http", 5601, "http", "/app/discover", "user elastic"));
        Fixtures.rendered(root, "platform/cluster", "dev",
                Fixtures.panelService("kube-system", "headlamp", "Headlamp", "http", 80, "4466", null,
                        "token: kubectl -n kube-system create token headlamp-viewer"));
        // Another environment's manifests are not this one's.
        Fixtures.rendered(root, "observability/tracing", "prod",
                Fixtures.panelService("tracing", "jaeger-query", "Jaeger", "http", 16686, "http", null, "no login"));

        api = new ApiServerStandIn();
        KubernetesClient c = api.client();
        c.resource(Fixtures.panelService("monitoring", "grafana", "Grafana", "http", 3000, "http", "/dashboards", "x")).create();
        c.resource(Fixtures.pod("monitoring", "grafana-7d9f", "grafana", "Running", "http", 3000)).create();
        c.resource(Fixtures.panelService("monitoring", "prometheus", "Prometheus", "web", 9090, "web", null, "x")).create();
        c.resource(Fixtures.pod("monitoring", "prometheus-0", "prometheus", "Pending", "web", 9090)).create();
        c.resource(Fixtures.panelService("kube-system", "headlamp", "Headlamp", "http", 80, "4466", null, "x")).create();
        c.resource(Fixtures.pod("kube-system", "headlamp-5c", "headlamp", "Running", "http", 4466)).create();
    }

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    @DisplayName("dry run: lists what it would forward (URL, login) and what is missing, and opens nothing")
    void dryRun() throws Exception {
        assertThat(Panels.run(api.client(), root, "dev", "127.0.0.1", false, true, out)).isEmpty();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("dry run")
                .containsPattern("Grafana +http://127\\.0\\.0\\.1:<free port>/dashboards +monitoring/grafana:http +user admin; password: kubectl -n monitoring get secret grafana-admin")
                .containsPattern("Headlamp +http://127\\.0\\.0\\.1:<free port>/ +kube-system/headlamp:http +token: kubectl -n kube-system create token headlamp-viewer")
                .contains("Not available:")
                .contains("Kibana (logging/kibana:http): not deployed")
                .contains("Prometheus (monitoring/prometheus:web): no running pod")
                .doesNotContain("Jaeger", "wecom-relay");
    }

    @Test
    @DisplayName("for real: listens on 127.0.0.1 for each deployed panel, prints the URL with its port, and closes them all")
    void opensAndCloses() throws Exception {
        java.util.List<io.fabric8.kubernetes.client.LocalPortForward> forwards =
                Panels.run(api.client(), root, "dev", "127.0.0.1", false, false, out);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(forwards).hasSize(2);
        for (var forward : forwards) {
            assertThat(forward.getLocalAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(forward.getLocalPort()).isPositive();
            assertThat(printed).contains("http://127.0.0.1:" + forward.getLocalPort() + "/");
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", forward.getLocalPort())) {
                assertThat(socket.isConnected()).isTrue();
            }
        }
        assertThat(printed).contains("port-forwards open; Ctrl-C closes them").contains("Kibana (logging/kibana:http)");
        java.util.List<Integer> ports = forwards.stream().map(f -> f.getLocalPort()).toList();
        Panels.closeAll(forwards);
        assertThat(forwards).noneMatch(io.fabric8.kubernetes.client.PortForward::isAlive);
        for (int port : ports) {
            // The listener closes asynchronously: within a few seconds a connect must be refused.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            boolean refused = false;
            while (!refused && System.nanoTime() < deadline) {
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                    Thread.sleep(100);
                } catch (java.net.ConnectException e) {
                    refused = true;
                }
            }
            assertThat(refused).as("127.0.0.1:%d still accepts connections 5 s after closing", port).isTrue();
        }
    }

    @Test
    @DisplayName("the container port behind a panel's Service port: named ports through the pod, numbers as they are")
    void targetPorts() {
        Object grafana = Panels.locate(api.client(), Panels.declared(root, "dev").stream()
                .filter(p -> p.name().equals("Grafana")).findFirst().orElseThrow());
        Object headlamp = Panels.locate(api.client(), Panels.declared(root, "dev").stream()
                .filter(p -> p.name().equals("Headlamp")).findFirst().orElseThrow());
        assertThat(grafana).isEqualTo(new Panels.Target(Panels.declared(root, "dev").get(0), "grafana-7d9f", 3000));
        assertThat(headlamp).isInstanceOf(Panels.Target.class).extracting("containerPort").isEqualTo(4466);
    }

    @Test
    @DisplayName("refuses to bind 0.0.0.0 (or any non-loopback address) before it talks to the cluster")
    void refusesNonLoopback() {
        int before = api.requestCount();
        assertThatThrownBy(() -> Panels.run(api.client(), root, "dev", "0.0.0.0", false, true, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusing to bind the panels to 0.0.0.0")
                .hasMessageContaining("-Dpanels.allow-non-loopback=true");
        assertThat(api.requestCount()).isEqualTo(before);
    }

    @Test
    @DisplayName("binds a non-loopback address only when told explicitly")
    void nonLoopbackWhenTold() throws Exception {
        Panels.run(api.client(), root, "dev", "0.0.0.0", true, true, out);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("http://0.0.0.0:<free port>/dashboards");
    }

    @Test
    @DisplayName("an environment with no rendered panel says to build first")
    void nothingRendered() {
        assertThatThrownBy(() -> Panels.run(api.client(), root, "test", "127.0.0.1", false, true, out))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("./mvnw package -P test");
    }

    @Test
    @DisplayName("the Maven goal's arguments: the guard is not needed, options are --name=value")
    void arguments() {
        Cli cli = Cli.parse("usage", "/repo", "dev", "--dry-run=true", "--address=127.0.0.1", "--allow-non-loopback=false");
        assertThat(cli.flag("dry-run")).isTrue();
        assertThat(cli.flag("allow-non-loopback")).isFalse();
        assertThat(cli.option("address", "x")).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> Cli.parse("usage", "/repo", "dev", "dry-run")).hasMessageContaining("--name=value");
    }
}
