package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real log lines of the packaged services, as they print them in a cluster environment (Quarkus profile cafe-dev: JSON,
 * tracing on), wrapped the way containerd writes them and read back through the rendered Fluent Bit configuration:
 * the trace id of the request, the span id and the x-request-id must come out as top-level fields, which is what a
 * Kibana search by trace id relies on. One order goes through mocha to latte (latte logs the call it received); then
 * latte is stopped and mocha logs the 503 it answers. Both services log those lines at DEBUG (turned on here).
 */
class ServiceLogsThroughThePipelineIT {

    private static final String ENV = "dev";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path logs;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process start(String service, Path log, Map<String, String> env, String... properties) throws IOException {
        Path jar = Stack.ROOT.resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as(service + " packaged (./mvnw -pl services/" + service + " -am package)").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(Map.of(
                "QUARKUS_PROFILE", "cafe-" + ENV,
                "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true",
                "QUARKUS_OTEL_SDK_DISABLED", "false",
                // Spans are made (and so the trace ids in the log) but not exported during the test.
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "1h",
                "QUARKUS_SHUTDOWN_DELAY", "0s"));
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static void awaitReady(Process process, int httpPort, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("running; its log:\n" + Files.readString(log)).isTrue();
            try {
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready in 60 s; its log:\n" + Files.readString(log));
    }

    private static int order(int port, String requestId, String traceId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/orders"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("x-request-id", requestId)
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"drink\":\"latte\",\"size\":\"small\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The first JSON line of a log that contains the text (waiting up to 5 s for it to be written). */
    private static String line(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> found = Files.readAllLines(log).stream().filter(l -> l.startsWith("{") && l.contains(text)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no JSON line with " + text + " in:\n" + Files.readString(log));
    }

    private static Map<String, Object> throughFluentBit(String line) {
        FluentBitPipeline pipeline = FluentBitPipeline.of(ENV);
        Map<String, Object> record = null;
        // As containerd writes it: RFC3339Nano time, the stream, F for a full line (P for the parts of a long one:
        // cut here into 100-character parts to go through the joining too).
        for (String cri : FluentBitPipeline.containerd("2026-11-25T08:00:00.123456789Z", "stdout", line, 100)) {
            record = pipeline.read(cri);
        }
        return record;
    }

    @Test
    @DisplayName("latte's and mocha's JSON lines, read back through the CRI format and the Fluent Bit filters, carry traceId, spanId and x-request-id at the top")
    void traceFieldsReachTheTop() throws Exception {
        Path latteLog = logs.resolve("latte.log");
        Path mochaLog = logs.resolve("mocha.log");
        int grpc = freePort();
        int latteHttp = freePort();
        int mochaHttp = freePort();
        Process latte = start("latte", latteLog, Map.of(), "-Dquarkus.grpc.server.port=" + grpc, "-Dquarkus.http.port=" + latteHttp,
                "-Dlatte.pod=latte-log-it", "-Dlatte.version=v1",
                "-Dquarkus.log.category.\"dev.cafestack.latte.RequestContextInterceptor\".level=DEBUG");
        Process mocha = start("mocha", mochaLog, Map.of(
                "MOCHA_CONFIG", Stack.ROOT.resolve("services/mocha/src/main/config").resolve(ENV).resolve("mocha.yaml").toString(),
                "LATTE_HOST", "127.0.0.1", "LATTE_PORT", String.valueOf(grpc)),
                "-Dquarkus.http.port=" + mochaHttp, "-Dquarkus.log.category.\"dev.cafestack.mocha\".level=DEBUG");
        awaitReady(latte, latteHttp, latteLog);
        awaitReady(mocha, mochaHttp, mochaLog);

        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(order(mochaHttp, "req-log-it-1", traceId)).isEqualTo(201);
        Map<String, Object> brewed = throughFluentBit(line(latteLog, "req-log-it-1"));
        assertThat(brewed).as("latte's line").containsEntry("traceId", traceId).containsEntry("x-request-id", "req-log-it-1")
                .containsKey("message").doesNotContainKeys("log", "mdc");
        assertThat(String.valueOf(brewed.get("spanId"))).matches("[0-9a-f]{16}");

        latte.destroy();
        assertThat(latte.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String outage = "0af7651916cd43dd8448eb211c80319c";
        assertThat(order(mochaHttp, "req-log-it-2", outage)).isEqualTo(503);
        Map<String, Object> answered = throughFluentBit(line(mochaLog, outage));
        assertThat(answered).as("mocha's line").containsEntry("traceId", outage).containsEntry("x-request-id", "req-log-it-2")
                .doesNotContainKeys("log", "mdc");
        assertThat(String.valueOf(answered.get("spanId"))).matches("[0-9a-f]{16}");
        assertThat(String.valueOf(answered.get("message"))).contains("503");
    }
}
