package dev.cafestack.play;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local environment, run for real: the services' images from this build, loaded into podman, and their rendered
 * local manifests played with {@link LocalPlay} (what {@code ./mvnw -P play package} does), checked against the running
 * pods through the ports podman publishes. Runs wherever podman works and the images were built; in CI
 * ({@code -Dcafe.play.required=true}) a missing podman or image fails it instead of skipping it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("The local environment played on podman")
class LocalPlayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String CONFIG_HASH = "cafe-stack.dev/config-hash";
    private static final String ORDER = "{\"drink\":\"latte\",\"size\":\"medium\",\"notes\":\"oat milk\"}";

    private final Path root = Path.of(System.getProperty("cafe.root"));
    private final List<String> modules = Arrays.asList(System.getProperty("cafe.play.modules").split(","));
    private LocalPlay play;
    private List<Path> manifests;
    private boolean played;
    private long playStarted;
    private double firstOrderSeconds;

    record Answer(int status, JsonNode body, Duration took) {
    }

    @BeforeAll
    void playTheLocalEnvironment() throws Exception {
        play = new LocalPlay(root, modules, System.out);
        manifests = play.manifests();
        for (String problem : new String[] {play.podmanProblem(), play.buildProblem()}) {
            if (problem == null) {
                continue;
            }
            if (Boolean.getBoolean("cafe.play.required")) {
                fail("[play e2e] cannot run (cafe.play.required): " + problem);
            }
            System.out.println("[play e2e] SKIPPED, not run: " + problem);
            Assumptions.abort(problem);
        }
        List<String> running = LocalPlay.workloads(manifests).stream().map(w -> LocalPlay.pod(w.name()))
                .flatMap(java.util.Optional::stream).toList();
        assertThat(running).as("pods of the stack already up on this podman (this test plays the same pods): take them "
                + "down first with ./mvnw -P play-down -pl tests/play package").isEmpty();
        String ports = play.portProblem(manifests);
        assertThat(ports).as("host ports").isNull();

        System.out.println("[play e2e] RUNNING against podman, images on base " + System.getProperty("cafe.image.base"));
        playStarted = System.nanoTime();
        played = true;
        play.load();
        play.apply(manifests);
        play.awaitReady(manifests, Duration.ofMinutes(2));
    }

    @AfterAll
    void takeItDown() {
        if (played) {
            List<String> left = play.down(manifests);
            System.out.println("[play e2e] took the stack down" + (left.isEmpty() ? "" : "; left: " + left));
        }
        if (firstOrderSeconds > 0) {
            System.out.printf("[play e2e] RAN: first 201 %.1f s after the podman load started%n", firstOrderSeconds);
        }
    }

    @Test
    @Order(1)
    @DisplayName("answers POST /api/orders through mocha with 201, naming the latte pod and version that brewed it")
    void ordersThroughMocha() throws Exception {
        Answer answer = orderUntil(201, Duration.ofSeconds(60));
        firstOrderSeconds = (System.nanoTime() - playStarted) / 1e9;
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
        assertThat(answer.body().path("drink").asText()).isEqualTo("latte");
        assertThat(answer.body().at("/servedBy/pod").asText()).isEqualTo(LocalPlay.pod("latte-v1").orElseThrow());
        String version = workload("latte-v1").deployment().at("/spec/template/metadata/labels/version").asText();
        assertThat(answer.body().at("/servedBy/version").asText()).isEqualTo(version).isEqualTo("v1");
    }

    @Test
    @Order(2)
    @DisplayName("answers a bad order with 400, naming each field at fault")
    void rejectsBadOrders() throws Exception {
        int maxNotes = YAML.readTree(root.resolve("services/mocha/src/main/config/local/mocha.yaml").toFile())
                .at("/mocha/orders/max-notes-length").asInt();
        Answer answer = post("{\"drink\":\"espresso\",\"notes\":\"" + "x".repeat(maxNotes + 1) + "\"}");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(400);
        assertThat(answer.body().path("violations").findValuesAsText("field")).as(answer.body().toString())
                .containsExactly("size", "notes");
        assertThat(answer.body().path("violations").findValuesAsText("reason")).as(answer.body().toString())
                .anySatisfy(reason -> assertThat(reason).contains("is required"))
                .anySatisfy(reason -> assertThat(reason).contains("at most " + maxNotes));
    }

    @Test
    @Order(3)
    @DisplayName("runs every container as its manifest says: its non-root user, a read-only root with a writable /tmp, "
            + "no capabilities, its readiness probe answering, and its image's JVM using the image's class data archive")
    void runsAsTheManifestsSay() throws Exception {
        for (LocalPlay.Workload workload : LocalPlay.workloads(manifests)) {
            JsonNode podSecurity = workload.podSpec().path("securityContext");
            for (JsonNode spec : workload.podSpec().path("containers")) {
                String container = LocalPlay.container(workload.name(), spec.path("name").asText());
                String what = workload.name() + " (" + container + ")";
                assertThat(inspect(container, "{{.Image}}")).as(what + " runs the image this build wrote")
                        .isEqualTo(play.builtImage(spec.path("image").asText()).orElseThrow());
                assertThat(exec(container, "id", "-u").output().strip()).as(what + " uid")
                        .isEqualTo(podSecurity.path("runAsUser").asText()).isEqualTo("1001");
                assertThat(exec(container, "id", "-g").output().strip()).as(what + " gid")
                        .isEqualTo(podSecurity.path("runAsGroup").asText());
                Podman.Result root = exec(container, "sh", "-c", "echo x > /e2e-probe");
                assertThat(root.ok()).as(what + " writes to /: " + root.output()).isFalse();
                assertThat(root.output()).contains("Read-only file system");
                Podman.Result tmp = exec(container, "sh", "-c", "echo x > /tmp/e2e-probe && cat /tmp/e2e-probe && rm /tmp/e2e-probe");
                assertThat(tmp.output().strip()).as(what + " writes to /tmp: " + tmp.describe()).isEqualTo("x");
                assertThat(exec(container, "grep", "CapEff", "/proc/1/status").output())
                        .as(what + " effective capabilities of the app").contains("0000000000000000");
                assertThat(exec(container, "grep", "NoNewPrivs", "/proc/1/status").output())
                        .as(what + " no privilege escalation").contains("1");
                // The base's JVM maps the archive the build wrote (with that JVM: the root pom's app-cds execution)
                // and unmaps one it refuses, e.g. an archive another JVM build wrote.
                Matcher archive = Pattern.compile("-XX:SharedArchiveFile=(\\S+?)[\\s,\\]]")
                        .matcher(inspect(container, "{{json .Config.Entrypoint}}"));
                assertThat(archive.find()).as(what + " entrypoint names a class data archive").isTrue();
                String file = archive.group(1).replace("\"", "");
                String path = file.startsWith("/") ? file : inspect(container, "{{.Config.WorkingDir}}") + "/" + file;
                assertThat(exec(container, "cat", "/proc/1/maps").output()).as(what + " JVM's mapped files")
                        .contains(" " + path + "\n");

                JsonNode ready = spec.at("/readinessProbe/httpGet");
                URI uri = URI.create("http://127.0.0.1:" + workload.containerPort(spec, ready.path("port").asText())
                        + ready.path("path").asText());
                HttpResponse<String> answer = client().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(what + " " + uri).isEqualTo(200);
                assertThat(answer.body()).contains("\"UP\"");
            }
        }
    }

    @Test
    @Order(4)
    @DisplayName("rolls mocha when its local config changes and is re-rendered and re-played, serving the new value; an "
            + "unchanged re-render changes nothing")
    void rollsOnConfigChange(@TempDir Path temp) throws Exception {
        Path latte = manifests.get(modules.indexOf("services/latte"));
        Path mocha = manifests.get(modules.indexOf("services/mocha"));
        LocalPlay.Workload before = workload("mocha");
        String hashBefore = LocalPlay.runningTemplateHash(before).orElseThrow();
        Answer served = orderUntil(201, Duration.ofSeconds(60));
        assertThat(served.body().path("currency").asText()).as(served.body().toString()).isEqualTo("EUR");

        RenderedCopy copy = RenderedCopy.of(root, "services/mocha", temp.resolve("repo"));
        Path config = copy.file("src/main/config/local/mocha.yaml");
        String yaml = Files.readString(config);
        assertThat(yaml).contains("currency: EUR");
        Files.writeString(config, yaml.replace("currency: EUR", "currency: CHF"));
        copy.render("render-changed");
        Path changed = copy.localManifest();
        LocalPlay.Workload after = LocalPlay.workloads(List.of(changed)).stream()
                .filter(w -> w.name().equals("mocha")).findFirst().orElseThrow();
        String configHash = after.deployment().at("/spec/template/metadata/annotations").path(CONFIG_HASH).asText();
        assertThat(configHash).as("config hash of the re-rendered template")
                .isNotBlank().isNotEqualTo(before.deployment().at("/spec/template/metadata/annotations").path(CONFIG_HASH).asText());

        Map<String, Boolean> replayed = replayed(play.apply(List.of(latte, changed)));
        assertThat(replayed).containsEntry("mocha", true).containsEntry("latte-v1", false);
        play.awaitReady(List.of(latte, changed), Duration.ofMinutes(2));
        assertThat(LocalPlay.runningTemplateHash(after)).as("the running pod's template hash")
                .contains(play.templateHash(after)).get().isNotEqualTo(hashBefore);
        Answer answer = orderUntil(201, Duration.ofSeconds(60));
        assertThat(answer.body().path("currency").asText()).as(answer.body().toString()).isEqualTo("CHF");

        String mochaContainer = LocalPlay.container("mocha", "mocha");
        String started = inspect(mochaContainer, "{{.Id}} {{.State.StartedAt}}");
        byte[] firstRender = Files.readAllBytes(changed);
        copy.render("render-unchanged");
        assertThat(Files.readAllBytes(changed)).as("an unchanged re-render writes the same manifest").isEqualTo(firstRender);
        assertThat(replayed(play.apply(List.of(latte, changed)))).containsEntry("mocha", false).containsEntry("latte-v1", false);
        assertThat(inspect(mochaContainer, "{{.Id}} {{.State.StartedAt}}")).as("mocha's container, untouched").isEqualTo(started);

        // Back to the repository's own config for the tests that follow.
        assertThat(replayed(play.apply(manifests))).containsEntry("mocha", true);
        play.awaitReady(manifests, Duration.ofMinutes(2));
        assertThat(LocalPlay.runningTemplateHash(before)).contains(hashBefore);
        Answer restored = orderUntil(201, Duration.ofSeconds(60));
        assertThat(restored.body().path("currency").asText()).as(restored.body().toString()).isEqualTo("EUR");
    }

    @Test
    @Order(5)
    @DisplayName("answers 503 within mocha's latte deadline while latte is stopped, and 201 again once latte is back")
    void survivesLatteOutage() throws Exception {
        Duration deadline = latteDeadline();
        String pod = LocalPlay.pod("latte-v1").orElseThrow();
        String latte = LocalPlay.container("latte-v1", "latte");
        Answer before = orderUntil(201, Duration.ofSeconds(60));
        assertThat(before.status()).as(before.body().toString()).isEqualTo(201);
        // Stopped as the kubelet stops a pod's container: SIGTERM, up to terminationGracePeriodSeconds to drain, the
        // pod's network still there (stopping the whole podman pod would remove it first, so latte's goodbye never
        // reaches mocha).
        String grace = workload("latte-v1").podSpec().path("terminationGracePeriodSeconds").asText("30");
        Podman.run(Duration.ofMinutes(2), "stop", "-t", grace, latte).orFail();
        try {
            for (int i = 0; i < 3; i++) {
                Answer answer = post(ORDER);
                assertThat(answer.status()).as(answer.body().toString()).isEqualTo(503);
                assertThat(answer.body().path("error").asText()).isEqualTo("latte_unavailable");
                assertThat(answer.took()).as("answered within the deadline " + deadline + " (+1 s for this shared machine)")
                        .isLessThan(deadline.plusSeconds(1));
            }
        } finally {
            Podman.run(Duration.ofMinutes(1), "start", latte).orFail();
        }
        play.awaitReady(manifests, Duration.ofMinutes(2));
        Answer back = orderUntil(201, Duration.ofSeconds(60));
        assertThat(back.status()).as(back.body().toString()).isEqualTo(201);
        assertThat(back.body().at("/servedBy/pod").asText()).isEqualTo(pod);
    }

    @Test
    @Order(6)
    @DisplayName("takes the stack down leaving no pod, container or volume of it")
    void downLeavesNothing() {
        List<LocalPlay.Workload> workloads = LocalPlay.workloads(manifests);
        assertThat(LocalPlay.leftovers(workloads)).as("before down").isNotEmpty();
        assertThat(play.down(manifests)).as("left after down").isEmpty();
        played = false;
        String pods = Podman.run(Duration.ofMinutes(1), "pod", "ps", "--format", "{{.Name}}").orFail();
        String containers = Podman.run(Duration.ofMinutes(1), "ps", "-a", "--format", "{{.Names}}").orFail();
        String volumes = Podman.run(Duration.ofMinutes(1), "volume", "ls", "--format", "{{.Name}}").orFail();
        for (LocalPlay.Workload workload : workloads) {
            assertThat(pods.lines()).noneMatch(p -> p.startsWith(workload.name() + "-pod"));
            assertThat(containers.lines()).noneMatch(c -> c.startsWith(workload.name() + "-pod"));
            assertThat(volumes.lines()).doesNotContainAnyElementsOf(workload.volumes());
        }
    }

    /** mocha's http containerPort, published on the host under the same number. */
    private int mochaPort() {
        LocalPlay.Workload mocha = workload("mocha");
        return mocha.containerPort(mocha.podSpec().at("/containers/0"), "http");
    }

    private LocalPlay.Workload workload(String name) {
        return LocalPlay.workloads(manifests).stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment " + name + " in " + manifests));
    }

    private Duration latteDeadline() throws IOException {
        String value = YAML.readTree(root.resolve("services/mocha/src/main/config/local/mocha.yaml").toFile())
                .at("/mocha/latte/deadline").asText();
        return value.endsWith("ms") ? Duration.ofMillis(Long.parseLong(value.replace("ms", "")))
                : Duration.parse("PT" + value.toUpperCase());
    }

    private static Map<String, Boolean> replayed(List<LocalPlay.Applied> applied) {
        return applied.stream().collect(Collectors.toMap(LocalPlay.Applied::deployment, LocalPlay.Applied::replayed));
    }

    private static Podman.Result exec(String container, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(command));
        return Podman.run(Duration.ofSeconds(30), args.toArray(String[]::new));
    }

    private static String inspect(String container, String format) {
        return Podman.run(Duration.ofSeconds(30), "inspect", "--format", format, container).orFail().strip();
    }

    /** Orders until mocha answers {@code status} (the first call after a start may meet a cold latte), or time is up. */
    private Answer orderUntil(int status, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Answer last = null;
        while (System.nanoTime() < end) {
            try {
                last = post(ORDER);
                if (last.status() == status) {
                    return last;
                }
            } catch (IOException e) {
                last = new Answer(-1, JSON.createObjectNode().put("error", e.toString()), Duration.ZERO);
            }
            Thread.sleep(500);
        }
        return last;
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    private Answer post(String order) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mochaPort() + "/api/orders"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(order)).build();
        long start = System.nanoTime();
        // A new client (and connection) per call: a pooled connection would outlive a replayed pod.
        HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        JsonNode body;
        try {
            body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("notJson", response.body());
        }
        return new Answer(response.statusCode(), body, took);
    }
}
