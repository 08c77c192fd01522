package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServiceProcessTest {

    @Test
    @DisplayName("names the class data archive a JVM is started with: the image's AppCDS archive, or a JDK 24+ AOT cache")
    void namesTheClassDataArchiveOfItsFlags() {
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:+UseSerialGC", "-XX:SharedArchiveFile=app-cds.jsa",
                "-Xlog:cds*=off"))).contains("app-cds.jsa");
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:+UseSerialGC", "-XX:AOTCache=/tmp/aot/mocha.aot")))
                .contains("mocha.aot");
        // The JVM takes the last of its flags: so does the name.
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:AOTCache=/tmp/a.aot", "-XX:AOTCache=/tmp/b.aot")))
                .contains("b.aot");
        assertThat(ServiceProcess.classDataArchive(List.of("-XX:+UseSerialGC", "-XX:AOTCacheOutput=app.aot"))).isEmpty();
    }

    @Test
    @DisplayName("a readiness probe reads the status an HTTP server answers, and -1 while nothing listens or answers")
    void probeReadsTheStatusOfTheAnswer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger status = new AtomicInteger(503);
        StringBuilder asked = new StringBuilder();
        server.createContext("/q/health/ready", exchange -> {
            asked.append(exchange.getRequestMethod()).append(' ').append(exchange.getRequestURI());
            byte[] body = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI ready = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/q/health/ready?verbose");
            assertThat(ServiceProcess.probe(ready, Duration.ofSeconds(5))).isEqualTo(503);
            assertThat(asked).hasToString("GET /q/health/ready?verbose");
            status.set(200);
            assertThat(ServiceProcess.probe(ready, Duration.ofSeconds(5))).isEqualTo(200);
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        assertThat(ServiceProcess.probe(URI.create("http://127.0.0.1:" + closed + "/q/health/ready"), Duration.ofSeconds(1)))
                .isEqualTo(-1);
    }

    @Test
    @DisplayName("a readiness probe takes an answer that is not HTTP for no answer")
    void probeTakesAnAnswerThatIsNotHttpForNoAnswer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                try (var socket = server.accept()) {
                    socket.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the probe has gone
                }
            });
            answering.start();
            assertThat(ServiceProcess.probe(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"),
                    Duration.ofSeconds(5))).isEqualTo(-1);
            answering.join();
        }
    }
}
