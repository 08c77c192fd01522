package dev.cafestack.ci;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The deploy pipeline's last stage: one order through the environment's gateway host ({@code cafe.host}; HTTPS when
 * the environment has a gateway TLS Secret). It passes when mocha answers 201 with {@code servedBy.pod} naming a latte
 * pod, i.e. the whole path gateway → mocha → latte works. Retries for a while: a fresh rollout may still be settling.
 *
 * <pre>./mvnw -pl ci exec:java@smoke -P &lt;env&gt;</pre>
 */
public final class SmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SmokeTest() {
    }

    /** The gateway's URL of {@code env}: {@code cafe.host}, https when {@code mesh.gateway.tls.secret} is set. */
    static URI gateway(Path root, String env) {
        Properties values = new Properties();
        Path file = root.resolve("environments").resolve(env + ".properties");
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String host = values.getProperty("cafe.host", "").trim();
        if (host.isEmpty()) {
            throw new IllegalStateException(file + " has no cafe.host");
        }
        boolean tls = !values.getProperty("mesh.gateway.tls.secret", "").isBlank();
        return URI.create((tls ? "https://" : "http://") + host);
    }

    /** Orders until one passes or {@code attempts} ran out; returns the exit code. */
    static int run(URI gateway, int attempts, Duration pause, PrintStream out) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ObjectNode order = JSON.createObjectNode().put("drink", "latte").put("size", "small").put("notes", "smoke test");
        URI orders = gateway.resolve("/api/orders");
        String last = "not tried";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(orders)
                        .timeout(Duration.ofSeconds(10))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(order)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                last = check(response.statusCode(), response.body());
                if (last == null) {
                    out.println("[smoke] POST " + orders + ": " + response.statusCode() + ", brewed by "
                            + JSON.readTree(response.body()).path("servedBy").path("pod").asText());
                    return 0;
                }
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            out.println("[smoke] attempt " + attempt + "/" + attempts + ": " + last);
            if (attempt < attempts) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }
        out.println("[smoke] FAILED: POST " + orders + ": " + last);
        return 1;
    }

    /** What is wrong with mocha's answer to an order; null when it is right. */
    static String check(int status, String body) {
        if (status != 201) {
            return "answered " + status + " (expected 201): " + abbreviate(body);
        }
        JsonNode pod;
        try {
            pod = JSON.readTree(body).path("servedBy").path("pod");
        } catch (IOException e) {
            return "answered 201 but not JSON: " + abbreviate(body);
        }
        if (!pod.isTextual() || !pod.asText().startsWith("latte")) {
            return "answered 201 but servedBy.pod names no latte pod: " + abbreviate(body);
        }
        return null;
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }

    public static void main(String[] args) {
        Cli cli = Cli.parse("SmokeTest <root> <env> [--attempts=12] [--pause=5s]", args);
        Main.exit(cli, () -> run(gateway(cli.root(), cli.env()), Integer.parseInt(cli.option("attempts", "12")),
                cli.duration("pause", Duration.ofSeconds(5)), System.out));
    }
}
