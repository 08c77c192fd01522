package dev.cafestack.mocha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs latte's packaged application ({@code services/latte/target/quarkus-app/quarkus-run.jar}) as a separate
 * process for mocha's tests: real gRPC between two JVMs. latte logs JSON (as in a cluster environment) with its
 * received tracing headers at DEBUG, into a file the tests read. The tests can stop and restart it.
 */
public class LatteProcess implements QuarkusTestResourceLifecycleManager {

    static final String POD = "latte-it-pod";

    private static LatteProcess current;

    private final Path jar;
    private final int grpcPort = freePort();
    private final int httpPort = freePort();
    private final Path log;
    private Process process;

    public LatteProcess() {
        Path root = Path.of(System.getProperty("cafe.root", "../.."));
        this.jar = root.resolve("services/latte/target/quarkus-app/quarkus-run.jar").toAbsolutePath().normalize();
        try {
            this.log = Files.createTempFile("latte-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LatteProcess current() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("latte is not packaged: " + jar + " is missing. Build it first:"
                    + " mvn -pl services/latte -am package -DskipTests (a full `mvn verify` at the root does this)");
        }
        current = this;
        startLatte();
        return Map.of(
                "quarkus.grpc.clients.latte.host", "localhost",
                "quarkus.grpc.clients.latte.test-port", String.valueOf(grpcPort),
                "quarkus.grpc.clients.latte.port", String.valueOf(grpcPort));
    }

    @Override
    public void stop() {
        stopLatte();
        current = null;
    }

    /** Starts latte and waits until it is ready. */
    synchronized void startLatte() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Dquarkus.grpc.server.port=" + grpcPort,
                "-Dquarkus.http.port=" + httpPort,
                "-Dlatte.pod=" + POD,
                "-Dlatte.version=v1",
                // No drain window here: stopping latte stands for an outage (GracefulShutdownIT covers the drain).
                "-Dquarkus.shutdown.delay=0s",
                "-Dquarkus.log.console.json.enabled=true",
                // Tracing on, as in a cluster environment, with nothing exported during the run.
                "-Dquarkus.otel.sdk.disabled=false",
                "-Dquarkus.otel.bsp.schedule.delay=1h",
                "-Dquarkus.log.category.\"dev.cafestack.latte.RequestContextInterceptor\".level=DEBUG",
                "-jar", jar.toString()));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("latte exited with " + process.exitValue() + "; its log:\n" + log());
            }
            if (ready()) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("latte did not become ready in 30 s; its log:\n" + log());
    }

    /** Stops latte the way Kubernetes does (SIGTERM, then a kill after the grace period). */
    synchronized void stopLatte() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Everything latte has logged so far (JSON lines). */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean ready() {
        try {
            HttpURLConnection http = (HttpURLConnection) URI.create("http://localhost:" + httpPort + "/q/health/ready")
                    .toURL().openConnection();
            http.setConnectTimeout(500);
            http.setReadTimeout(1000);
            return http.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
