package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/** The load script, run by the real wrk against a server that records what arrives. */
class OrdersScriptIT {

    record Seen(String requestId, String traceparent, String body) {
    }

    @Test
    @DisplayName("every order carries a unique x-request-id and a valid traceparent, the given share of them sampled, as the mesh hands them to mocha")
    void ordersLookLikeTheMeshsRequests(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("orders.lua");
        try (InputStream lua = Bench.class.getResourceAsStream("/bench/orders.lua")) {
            Files.copy(lua, script, StandardCopyOption.REPLACE_EXISTING);
        }
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/api/orders", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestHeaders().getFirst("x-request-id"),
                    exchange.getRequestHeaders().getFirst("traceparent"), body));
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.start();
        try {
            Wrk.Result result = new Wrk(script, 2, 4, 0.3).run("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/api/orders", Duration.ofSeconds(1));
            assertThat(result.requests()).isPositive();
            assertThat(result.non2xx()).isZero();
        } finally {
            server.stop(0);
        }

        assertThat(seen).hasSizeGreaterThan(100).allSatisfy(s -> {
            assertThat(s.requestId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(s.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
            assertThat(s.body()).isEqualTo("{\"drink\":\"latte\",\"size\":\"medium\",\"notes\":\"oat milk\"}");
        });
        long sampled = seen.stream().filter(s -> s.traceparent().endsWith("-01")).count();
        // 30 % of each thread's pool is sampled, spread evenly, so any stretch of it holds the share to one order; a run
        // ends part-way through a pool. (Not one in three: a share is not rounded to one order in n.)
        assertThat(sampled / (double) seen.size()).isBetween(0.28, 0.32);
        long distinct = seen.stream().map(Seen::requestId).distinct().count();
        assertThat(distinct).as("request ids repeat only after a thread's pool of 4,096")
                .isGreaterThanOrEqualTo(Math.min(seen.size(), 4096));
    }
}
