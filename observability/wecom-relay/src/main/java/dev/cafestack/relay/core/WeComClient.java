package dev.cafestack.relay.core;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafestack.relay.core.Delivery.Outcome;

/** Sends markdown to a WeCom group robot ({@code POST <url>?key=KEY}) and reads its errcode: every reply is HTTP 200. */
public final class WeComClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String url;
    private final Duration timeout;

    public WeComClient(String url, Duration connectTimeout, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    public Delivery send(String key, String markdown) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("msgtype", "markdown", "markdown", Map.of("content", markdown)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            return new Delivery(Outcome.CONNECTION, "connect timeout");
        } catch (HttpTimeoutException e) {
            return new Delivery(Outcome.TIMEOUT, "no answer within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return new Delivery(Outcome.CONNECTION, "connection refused or unreachable");
        } catch (IOException e) {
            return new Delivery(Outcome.CONNECTION, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery(Outcome.CONNECTION, "interrupted");
        }
        int status = response.statusCode();
        if (status >= 500 || status == 429) {
            return new Delivery(Outcome.SERVER_ERROR, "HTTP " + status);
        }
        if (status != 200) {
            return new Delivery(Outcome.REJECTED, "HTTP " + status);
        }
        int errcode;
        String errmsg;
        try {
            JsonNode reply = JSON.readTree(response.body());
            if (reply == null || !reply.path("errcode").isInt()) {
                return new Delivery(Outcome.SERVER_ERROR, "HTTP 200 without errcode");
            }
            errcode = reply.path("errcode").asInt();
            errmsg = reply.path("errmsg").asText();
        } catch (IOException e) {
            return new Delivery(Outcome.SERVER_ERROR, "HTTP 200 with an unreadable body");
        }
        String detail = "errcode " + errcode + " " + errmsg;
        return switch (errcode) {
            case 0 -> new Delivery(Outcome.OK, detail);
            case 45009 -> new Delivery(Outcome.RATE_LIMITED, detail);
            case -1 -> new Delivery(Outcome.SERVER_ERROR, detail);
            case 93000 -> new Delivery(Outcome.INVALID_KEY, detail);
            case 40058 -> new Delivery(Outcome.TOO_LONG, detail);
            default -> new Delivery(Outcome.REJECTED, detail);
        };
    }
}
