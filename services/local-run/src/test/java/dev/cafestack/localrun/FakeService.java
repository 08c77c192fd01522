package dev.cafestack.localrun;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for a packaged service in {@link AppCdsTrainingTest}: a JDK HTTP server on QUARKUS_HTTP_HOST and
 * QUARKUS_HTTP_PORT that answers as a Quarkus service started in its pod would, from what its environment gives it;
 * with FAKE_GRPC_BACKEND, its gRPC port (QUARKUS_GRPC_SERVER_PORT) is that local port's, forwarded.
 */
public final class FakeService {

    private FakeService() {
    }

    public static void main(String[] args) throws IOException {
        String exit = System.getenv("FAKE_EXIT");
        if (exit != null) {
            System.out.println("fake: exiting with " + exit + " before it starts");
            System.exit(Integer.parseInt(exit));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(System.getenv("QUARKUS_HTTP_HOST"),
                Integer.parseInt(System.getenv("QUARKUS_HTTP_PORT"))), 0);
        server.createContext("/q/health/started", exchange -> answer(exchange, 200));
        // 200 if the ConfigMap file the Deployment mounts is where FAKE_CONFIG says, with its content.
        server.createContext("/config", exchange -> answer(exchange,
                Files.readString(Path.of(System.getenv("FAKE_CONFIG"))).contains("greeting: hello") ? 200 : 500));
        // 200 if the upstream the training file points at is a local port, as ${closed-port} makes it.
        server.createContext("/upstream", exchange -> answer(exchange,
                System.getenv("FAKE_UPSTREAM").matches("http://127\\.0\\.0\\.1:\\d+") ? 200 : 500));
        // Ready half a second after it has started (as a service whose readiness waits for a first call to its peer),
        // and only while the peer the training file points FAKE_PEER_PORT at (its stand-in gRPC peer) takes
        // connections.
        long readyAt = System.nanoTime() + 500_000_000L;
        server.createContext("/q/health/ready", exchange -> answer(exchange,
                System.nanoTime() - readyAt >= 0 && peerReachable() ? 200 : 503));
        // Orders: loaded on the first one only (the class the archive must then hold).
        server.createContext("/orders", exchange -> Orders.handle(exchange));
        server.start();
        // Its gRPC server: the port QUARKUS_GRPC_SERVER_PORT forwarded to FAKE_GRPC_BACKEND (the test's gRPC server).
        String backend = System.getenv("FAKE_GRPC_BACKEND");
        if (backend != null) {
            forward(new ServerSocket(Integer.parseInt(System.getenv("QUARKUS_GRPC_SERVER_PORT")), 50,
                    InetAddress.getByName(System.getenv("QUARKUS_GRPC_SERVER_HOST"))), Integer.parseInt(backend));
        }
        System.out.println("fake: peer port " + System.getenv("FAKE_PEER_PORT"));
        System.out.println("fake: listening");
    }

    /** Forwards every connection to the server socket to a local port, both ways, byte for byte. */
    private static void forward(ServerSocket server, int port) {
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket("127.0.0.1", port);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    return;
                }
            }
        }, "fake-grpc-forwarder");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> {
            try (from; to) {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException e) {
                // the other side closed
            }
        });
        pump.setDaemon(true);
        pump.start();
    }

    private static boolean peerReachable() {
        String port = System.getenv("FAKE_PEER_PORT");
        if (port == null || !port.matches("\\d+")) {
            return false;
        }
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    /** Answers a POSTed JSON order with 201, anything else with 400. */
    static final class Orders {

        private Orders() {
        }

        static void handle(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean json = "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"));
            answer(exchange, exchange.getRequestMethod().equals("POST") && json && body.length > 0 ? 201 : 400);
        }
    }
}
