package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/** The smoke test against a local stand-in for the gateway (127.0.0.1, free port). */
class SmokeTestTest {

    private HttpServer server;
    private final AtomicReference<String> received = new AtomicReference<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private URI gateway(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/orders", exchange -> {
            received.set(exchange.getRequestMethod() + " " + new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    @DisplayName("passes when an order answers 201 and names the latte pod that brewed it")
    void passes() throws Exception {
        URI uri = gateway(201, "{\"drink\":\"latte\",\"servedBy\":{\"pod\":\"latte-v1-5f7c9\",\"version\":\"v1\"}}");
        assertThat(SmokeTest.run(uri, 1, Duration.ZERO, out)).isZero();
        assertThat(received.get()).startsWith("POST ").contains("\"drink\":\"latte\"").contains("\"size\":\"small\"");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("brewed by latte-v1-5f7c9");
    }

    @Test
    @DisplayName("fails on another status, or an answer that names no latte pod, after its retries")
    void fails() throws Exception {
        assertThat(SmokeTest.run(gateway(503, "{\"error\":\"latte unavailable\"}"), 2, Duration.ofMillis(10), out))
                .isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("attempt 2/2: answered 503").contains("FAILED");
        assertThat(SmokeTest.check(201, "{\"servedBy\":{\"pod\":\"\"}}")).contains("names no latte pod");
        assertThat(SmokeTest.check(201, "not json")).contains("not JSON");
    }

    @Test
    @DisplayName("the gateway of an environment: cafe.host, HTTPS when it has a gateway TLS Secret")
    void gatewayOfEnvironment(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("environments"));
        Files.writeString(root.resolve("environments/dev.properties"), "cafe.host=cafe.dev.example.com\nmesh.gateway.tls.secret=cafe-dev-tls\n");
        Files.writeString(root.resolve("environments/test.properties"), "cafe.host=cafe.test.example.com\nmesh.gateway.tls.secret=\n");
        assertThat(SmokeTest.gateway(root, "dev")).hasToString("https://cafe.dev.example.com");
        assertThat(SmokeTest.gateway(root, "test")).hasToString("http://cafe.test.example.com");
        // The repository's own environment files give every deployable environment a host.
        for (String env : new String[] {"dev", "test", "prod"}) {
            assertThat(SmokeTest.gateway(Path.of(".."), env).getHost()).isNotBlank();
        }
    }
}
