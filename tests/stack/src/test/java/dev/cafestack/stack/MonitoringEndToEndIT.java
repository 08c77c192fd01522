package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The monitoring against the real thing: the packaged mocha and latte run as processes, and the real {@code prometheus}
 * server (Debian's package) scrapes them with the rendered {@code kubernetes-pods} job - its relabelling as rendered,
 * fed by a file_sd stand-in for Kubernetes discovery with the pods' labels and scrape annotations from the rendered
 * Deployments - and evaluates the rendered rule files. After some orders, every Grafana dashboard query and every rule
 * expression runs through Prometheus' HTTP API and must parse and evaluate without error; the RED and JVM panels must
 * show mocha's and latte's data, per version.
 */
@DisplayName("Monitoring end to end: mocha and latte scraped by a real Prometheus with the rendered rules")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringEndToEndIT {

    private static final String NAMESPACE = "ecp-cafe";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path PROMETHEUS_MODULE = Stack.ROOT.resolve("observability/prometheus");
    private static final Path DASHBOARDS = Stack.ROOT.resolve("observability/grafana/src/main/config-templates");
    private static final List<String> RULE_FILES = List.of("cafe.rules.yml", "cluster.rules.yml", "monitoring.rules.yml");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();
    private Path work;
    private int mochaPort;
    private String prometheus;

    @BeforeAll
    void start() throws Exception {
        Path binary = onPath("prometheus");
        work = Files.createTempDirectory("monitoring-it-");
        int latteGrpc = freePort();
        int latteHttp = freePort();
        mochaPort = freePort();
        int prometheusPort = freePort();
        prometheus = "http://127.0.0.1:" + prometheusPort;

        start("latte", jar("latte"), "-Dquarkus.grpc.server.port=" + latteGrpc, "-Dquarkus.http.port=" + latteHttp,
                "-Dlatte.pod=latte-v1-it", "-Dlatte.version=v1", "-Dquarkus.shutdown.delay=0s");
        start("mocha", jar("mocha"), "-Dquarkus.http.port=" + mochaPort, "-Dquarkus.grpc.clients.latte.host=localhost",
                "-Dquarkus.grpc.clients.latte.port=" + latteGrpc, "-Dquarkus.shutdown.delay=0s",
                "-DMOCHA_CONFIG=" + Stack.ROOT.resolve("services/mocha/src/main/config/local/mocha.yaml"));
        awaitReady("latte", latteHttp);
        awaitReady("mocha", mochaPort);

        // Kubernetes discovery's stand-in: one target per pod, with the __meta labels kubernetes_sd would give it.
        ArrayNode targets = JSON.createArrayNode();
        targets.add(target("mocha", "mocha-it", "v1", mochaPort));
        targets.add(target("latte-v1", "latte-v1-it", "v1", latteHttp));
        Path targetsFile = work.resolve("pods.json");
        JSON.writeValue(targetsFile.toFile(), targets);

        JsonNode rendered = YAML.readTree(PROMETHEUS_MODULE.resolve("target/cafe-config/local/prometheus.yml").toFile());
        ObjectNode pods = null;
        for (JsonNode job : rendered.path("scrape_configs")) {
            if (job.path("job_name").asText().equals("kubernetes-pods")) {
                pods = (ObjectNode) job.deepCopy();
            }
        }
        assertThat(pods).as("the rendered kubernetes-pods job").isNotNull();
        pods.remove("kubernetes_sd_configs");
        pods.putArray("file_sd_configs").addObject().putArray("files").add(targetsFile.toString());
        ObjectNode config = JSON.createObjectNode();
        config.putObject("global").put("scrape_interval", "1s").put("evaluation_interval", "1s");
        ArrayNode rules = config.putArray("rule_files");
        RULE_FILES.forEach(f -> rules.add(PROMETHEUS_MODULE.resolve("target/cafe-config/local").resolve(f).toString()));
        config.putArray("scrape_configs").add(pods);
        Path configFile = work.resolve("prometheus.yml");
        YAML.writeValue(configFile.toFile(), config);

        start("prometheus", List.of(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--storage.tsdb.retention.time=1h"));
        await("Prometheus scrapes mocha and latte (up == 1)", Duration.ofSeconds(60),
                () -> query("up == 1").size() == 2);
    }

    @AfterAll
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @DisplayName("the targets are up, labelled with the pods' app and version by the rendered relabelling")
    void targetsAreUpWithAppAndVersion() throws Exception {
        List<Map<String, String>> up = new ArrayList<>();
        for (JsonNode series : query("up")) {
            up.add(JSON.convertValue(series.path("metric"), Map.class));
            assertThat(series.path("value").get(1).asText()).isEqualTo("1");
        }
        assertThat(up).extracting(m -> m.get("app") + "/" + m.get("version") + "/" + m.get("namespace") + "/" + m.get("pod"))
                .containsExactlyInAnyOrder("mocha/v1/ecp-cafe/mocha-it", "latte/v1/ecp-cafe/latte-v1-it");
    }

    @Test
    @DisplayName("after some orders, every Grafana dashboard query parses and evaluates, and the RED and JVM panels show both services")
    void everyDashboardQueryRuns() throws Exception {
        // Orders keep coming while Prometheus scrapes: a rate needs a counter that grows between two scrapes.
        await("the recording rules see mocha's and latte's requests", Duration.ofSeconds(60), () -> {
            sendOrders(10);
            return query("app_version:server_requests:rate5m > 0").size() == 2
                    && !query("app_version:grpc_client_requests:rate5m > 0").isEmpty()
                    && !query("app_version:http_server_requests_seconds:p99_5m > 0").isEmpty();
        });
        int queries = 0;
        Map<String, Integer> resultsByPanel = new LinkedHashMap<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                String definition = variable.path("query").path("query").asText();
                Matcher labelValues = Pattern.compile("label_values\\((.+), *(\\w+)\\)").matcher(definition);
                assertThat(labelValues.matches()).as(file.getFileName() + " variable " + variable.path("name")).isTrue();
                query(substitute(labelValues.group(1)));
                queries++;
            }
            for (JsonNode panel : dashboard.path("panels")) {
                int results = 0;
                for (JsonNode target : panel.path("targets")) {
                    results += query(substitute(target.path("expr").asText())).size();
                    queries++;
                }
                resultsByPanel.put(file.getFileName() + ": " + panel.path("title").asText(), results);
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(30);
        // With no node-exporter or kube-state-metrics here, the node panels may be empty; the cafe panels may not.
        resultsByPanel.forEach((panel, results) -> {
            if (panel.startsWith("cafe-red.json") || panel.startsWith("jvm.json")) {
                assertThat(results).as(panel + " shows data").isPositive();
            }
        });
        List<String> versions = new ArrayList<>();
        query("sum by (app, version) (app_version:server_requests:rate5m{namespace=\"ecp-cafe\"})")
                .forEach(s -> versions.add(s.path("metric").path("app").asText() + " " + s.path("metric").path("version").asText()));
        assertThat(versions).containsExactlyInAnyOrder("mocha v1", "latte v1");
    }

    @Test
    @DisplayName("every recording-rule and alert expression parses and evaluates, and every rule group evaluates without error")
    void everyRuleExpressionRuns() throws Exception {
        int expressions = 0;
        for (String file : RULE_FILES) {
            JsonNode groups = YAML.readTree(PROMETHEUS_MODULE.resolve("target/cafe-config/local").resolve(file).toFile());
            for (JsonNode group : groups.path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    query(rule.path("expr").asText());
                    expressions++;
                }
            }
        }
        assertThat(expressions).isGreaterThanOrEqualTo(30);
        JsonNode loaded = get("/api/v1/rules").path("data").path("groups");
        assertThat(loaded).hasSize(4);
        for (JsonNode group : loaded) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("health").asText()).as(rule.path("name").asText() + ": " + rule.path("lastError").asText())
                        .isIn("ok", "unknown");
            }
        }
    }

    /** Grafana's variables and interval, as Grafana would fill them for "all services and versions". */
    private static String substitute(String expr) {
        return expr.replace("$namespace", NAMESPACE).replace("$app", "mocha|latte").replace("$version", ".*")
                .replace("$pod", ".*").replace("$node", ".*").replace("$__rate_interval", "1m");
    }

    /** Orders to mocha, one in ten of them invalid (a 400). */
    private void sendOrders(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            String body = i % 10 == 9 ? "{\"drink\":\"tea\",\"size\":\"small\"}" : "{\"drink\":\"latte\",\"size\":\"medium\"}";
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mochaPort + "/api/orders"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(i % 10 == 9 ? 400 : 201);
        }
    }

    /** An instant query: it must parse and evaluate (HTTP 200, status success); its result vector. */
    private JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(answer.path("status").asText()).as(promql + " -> " + answer).isEqualTo("success");
        return answer.path("data").path("result");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(prometheus + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** A target as Kubernetes pod discovery would describe the pod, with the scrape annotations of its rendered Deployment. */
    private ObjectNode target(String deployment, String pod, String version, int port) {
        Deployment rendered = RenderedManifestsTest.one("local", Deployment.class, deployment);
        Map<String, String> annotations = rendered.getSpec().getTemplate().getMetadata().getAnnotations();
        Map<String, String> labels = rendered.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(labels).containsEntry("version", version);
        ObjectNode target = JSON.createObjectNode();
        target.putArray("targets").add("127.0.0.1");
        ObjectNode meta = target.putObject("labels");
        meta.put("__meta_kubernetes_namespace", NAMESPACE);
        meta.put("__meta_kubernetes_pod_name", pod);
        meta.put("__meta_kubernetes_pod_phase", "Running");
        meta.put("__meta_kubernetes_pod_node_name", "it-node");
        meta.put("__meta_kubernetes_pod_label_app", labels.get("app"));
        meta.put("__meta_kubernetes_pod_label_version", labels.get("version"));
        meta.put("__meta_kubernetes_pod_annotation_prometheus_io_scrape", annotations.get("prometheus.io/scrape"));
        meta.put("__meta_kubernetes_pod_annotation_prometheus_io_path", annotations.get("prometheus.io/path"));
        // The port the process listens on here (in the cluster: the annotation's value).
        meta.put("__meta_kubernetes_pod_annotation_prometheus_io_port", String.valueOf(port));
        return target;
    }

    private List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            List<Path> dashboards = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(dashboards).hasSize(3);
            return dashboards;
        }
    }

    private static Path jar(String service) {
        Path jar = Stack.ROOT.resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(service + " is not packaged: " + jar + " is missing. Build it first: ./mvnw -pl services/"
                    + service + " -am package -DskipTests (a full ./mvnw verify does this)");
        }
        return jar;
    }

    private void start(String name, Path jar, String... properties) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", jar.toString()));
        start(name, command);
    }

    private void start(String name, List<String> command) throws IOException {
        processes.add(new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start());
    }

    private void awaitReady(String name, int port) throws Exception {
        await(name + " ready", Duration.ofSeconds(60), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new AssertionError(what + ": a process exited (" + p.info().commandLine().orElse("?") + "); logs in " + work);
                }
            }
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException | AssertionError e) {
                // not yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(what + ": not within " + timeout + "; logs in " + work);
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not on the PATH. Install it: sudo apt-get install -y prometheus"
                + " (Debian/Ubuntu; .ci/run does this in CI)");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
