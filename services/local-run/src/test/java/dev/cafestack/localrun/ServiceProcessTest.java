package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
        AtomicReference<String> asked = new AtomicReference<>();
        server.createContext("/q/health/ready", exchange -> {
            asked.set(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] body = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI ready = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/q/health/ready?verbose");
            assertThat(ServiceProcess.probe(ready, Duration.ofSeconds(5))).isEqualTo(503);
            assertThat(asked.get()).isEqualTo("GET /q/health/ready?verbose");
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
        assertThatThrownBy(() -> ServiceProcess.probe(URI.create("http://127.0.0.1:" + closed + "/"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ms to 24 days");
    }

    @Test
    @DisplayName("a readiness URL is plain HTTP with a host and a port: anything else is refused before any poll")
    void readinessUrlIsPlainHttpWithHostAndPort() {
        assertThat(ServiceProcess.readinessUri("http://127.0.0.1:8080/q/health/ready").getPort()).isEqualTo(8080);
        for (String url : List.of("https://127.0.0.1:8443/q/health/ready", "http://127.0.0.1/q/health/ready",
                "http:///q/health/ready", "http:foo")) {
            assertThatThrownBy(() -> ServiceProcess.readinessUri(url)).as(url).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a readiness URL is http://<host>:<port>/<path>, got: " + url);
        }
    }

    @Test
    @DisplayName("a readiness probe reads a status line that arrives in pieces, on a connection the server keeps open")
    void probeReadsAStatusLineInPieces() throws Exception {
        assertThat(answer(socket -> {
            socket.getOutputStream().write("HTTP/1.1 2".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Thread.sleep(100);
            socket.getOutputStream().write("00 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // The server never closes first: a probe that waited for the end of the answer would time out (-1).
            while (socket.getInputStream().read() != -1) {
                // until the probe has closed its side
            }
        })).isEqualTo(200);
    }

    @Test
    @DisplayName("a readiness probe takes an answer that is not an HTTP/1 status line for no answer")
    void probeTakesAnAnswerThatIsNotHttpForNoAnswer() throws Exception {
        for (String answer : List.of("HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2OO OK\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n")) {
            assertThat(answer(socket -> socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII))))
                    .as(answer).isEqualTo(-1);
        }
    }

    interface Answer {
        void to(java.net.Socket socket) throws Exception;
    }

    /** Probes a one-connection server that reads the probe's request line, then answers as {@code answer} does. */
    private static int answer(Answer answer) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicReference<String> requestLine = new AtomicReference<>();
            Thread answering = new Thread(() -> {
                try (java.net.Socket socket = server.accept()) {
                    requestLine.set(new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII)).readLine());
                    answer.to(socket);
                } catch (Exception gone) {
                    // the probe has gone
                }
            });
            answering.start();
            int status = ServiceProcess.probe(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/q/health/ready"),
                    Duration.ofSeconds(5));
            answering.join(10_000);
            assertThat(answering.isAlive()).as("the server thread has ended").isFalse();
            assertThat(requestLine.get()).isEqualTo("GET /q/health/ready HTTP/1.1");
            return status;
        }
    }
}
