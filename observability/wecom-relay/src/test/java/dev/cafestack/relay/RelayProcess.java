package dev.cafestack.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged relay ({@code target/quarkus-app/quarkus-run.jar}) as its own process, with the test Secrets and
 * relay.yaml, a store file the test chooses and the WeCom stand-in's URL. It can be killed (SIGKILL) or stopped (SIGTERM).
 */
final class RelayProcess implements AutoCloseable {

    static final String TOKEN = "test-token-0123456789";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The module's directory: the working directory under failsafe, a system property under exec:java. */
    private static final Path MODULE = Path.of(System.getProperty("relay.module", "")).toAbsolutePath();

    private final Path store;
    private final String wecomUrl;
    private final Path log;
    private final int port = freePort();
    private Process process;

    RelayProcess(Path store, String wecomUrl, Path log) {
        this.store = store;
        this.wecomUrl = wecomUrl;
        this.log = log;
    }

    static Path jar() {
        Path jar = MODULE.resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the relay first "
                    + "(./mvnw -o -pl observability/wecom-relay -am package -DskipTests; failsafe runs after package)");
        }
        return jar;
    }

    RelayProcess start(String... jvmOptions) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-Dquarkus.http.port=" + port, "-Dquarkus.shutdown.delay=0s"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("RELAY_CONFIG", MODULE.resolve("src/test/resources/relay.yaml").toString());
        builder.environment().put("RELAY_STORE", store.toAbsolutePath().toString());
        builder.environment().put("RELAY_TOKEN_FILE", tokenFile().toString());
        builder.environment().put("RELAY_KEYS_DIR", MODULE.resolve("src/test/resources/secrets/robots").toString());
        builder.environment().put("RELAY_WECOM_URL", wecomUrl);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the relay exited with " + process.exitValue() + "; its log:\n" + log());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException("the relay was not ready within 60 s; its log:\n" + log());
    }

    static Path tokenFile() {
        return MODULE.resolve("src/test/resources/secrets/token");
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** POSTs a notification with the token; answers the status code. */
    int post(String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/alertmanager"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    String metrics() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGKILL: no shutdown hook, nothing flushed beyond what was committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the relay did not die");
        }
    }

    /** SIGTERM, as Kubernetes stops a pod; answers the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
