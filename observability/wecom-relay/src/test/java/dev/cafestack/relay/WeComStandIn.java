package dev.cafestack.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.cafestack.relay.core.Utf8;

/**
 * A stand-in for WeCom's group robot API on loopback ({@code POST /cgi-bin/webhook/send?key=KEY}), with the real
 * semantics: every answer is HTTP 200 with an errcode; 93000 for a key it does not know; 40058 for markdown over
 * 4096 bytes of UTF-8; 45009 for the 21st message of a key within any 60 s (on the given clock); and switchable
 * outages: HTTP 500, a hang (no answer), and connection refused (nothing listens on the port).
 */
final class WeComStandIn implements AutoCloseable {

    static final String PATH = "/cgi-bin/webhook/send";

    enum Mode { OK, HTTP_500, HANG, REFUSED }

    /** A request as the robot saw it: when (clock), the key, the markdown, the errcode answered (-500: HTTP 500; -1: hung). */
    record Request(long at, String key, String content, int errcode) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Set<String> keys;
    private final int port;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Deque<Long>> recent = new HashMap<>();
    private final Set<CountDownLatch> hanging = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.OK;
    private volatile int maxBytes = 4096;
    private HttpServer server;

    WeComStandIn(Clock clock, Set<String> keys) {
        this.clock = clock;
        this.keys = Set.copyOf(keys);
        this.server = bind(0);
        this.port = server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port + PATH;
    }

    /** Switches the robot's behaviour; REFUSED closes the port, any other mode opens it again. */
    synchronized void mode(Mode next) {
        if (next == Mode.REFUSED && server != null) {
            server.stop(0);
            server = null;
        } else if (next != Mode.REFUSED && server == null) {
            server = bind(port);
        }
        if (next != Mode.HANG) {
            hanging.forEach(CountDownLatch::countDown);
        }
        mode = next;
    }

    /** A stricter robot, to see what a 40058 does. */
    void maxBytes(int bytes) {
        maxBytes = bytes;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The markdown the group got (errcode 0), in order. */
    synchronized List<Request> delivered() {
        return requests.stream().filter(r -> r.errcode() == 0).toList();
    }

    synchronized long answered(int errcode) {
        return requests.stream().filter(r -> r.errcode() == errcode).count();
    }

    @Override
    public synchronized void close() {
        hanging.forEach(CountDownLatch::countDown);
        if (server != null) {
            server.stop(0);
        }
    }

    private HttpServer bind(int at) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), at), 50);
            s.createContext(PATH, this::handle);
            s.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "wecom-stand-in");
                t.setDaemon(true);
                return t;
            }));
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String key = key(exchange.getRequestURI().getRawQuery());
            Mode now = mode;
            if (now == Mode.HANG) {
                CountDownLatch latch = new CountDownLatch(1);
                hanging.add(latch);
                record(key, content(body), -1);
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hanging.remove(latch);
                return; // closes without an answer
            }
            if (now == Mode.HTTP_500) {
                record(key, content(body), -500);
                reply(exchange, 500, "Internal Server Error");
                return;
            }
            int errcode = errcode(key, body);
            reply(exchange, 200, "{\"errcode\":" + errcode + ",\"errmsg\":\"" + (errcode == 0 ? "ok" : "stand-in " + errcode) + "\"}");
        }
    }

    private synchronized int errcode(String key, byte[] body) {
        String content = content(body);
        int errcode;
        if (key == null || !keys.contains(key)) {
            errcode = 93000;
        } else if (content == null) {
            errcode = 40008;
        } else if (Utf8.length(content) > maxBytes) {
            errcode = 40058;
        } else {
            long now = clock.millis();
            Deque<Long> sent = recent.computeIfAbsent(key, k -> new ArrayDeque<>());
            while (!sent.isEmpty() && sent.peekFirst() <= now - 60_000) {
                sent.removeFirst();
            }
            if (sent.size() >= 20) {
                errcode = 45009;
            } else {
                sent.addLast(now);
                errcode = 0;
            }
        }
        requests.add(new Request(clock.millis(), key, content, errcode));
        return errcode;
    }

    private synchronized void record(String key, String content, int errcode) {
        requests.add(new Request(clock.millis(), key, content, errcode));
    }

    private static String content(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json == null || !"markdown".equals(json.path("msgtype").asText()) || !json.path("markdown").path("content").isTextual()) {
                return null;
            }
            return json.path("markdown").path("content").asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static String key(String query) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            if (part.startsWith("key=")) {
                return URLDecoder.decode(part.substring(4), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
