package dev.cafestack.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The load generator: wrk with the orders script; one call is one fixed-length load window. */
final class Wrk {

    /** What wrk's done() hook reports (latencies in microseconds). */
    record Result(long requests, long durationMicros, long non2xx, long socketErrors, long p50, long p99, long p999,
            long max) {

        double rate() {
            return requests * 1_000_000.0 / durationMicros;
        }
    }

    private static final Pattern LINE = Pattern.compile("BENCH-RESULT (.*)");

    private final Path script;
    private final int threads;
    private final int connections;
    private final double sampled;

    /** {@code sampled}: the share of requests whose traceparent says "sampled", as the mesh decides for mocha. */
    Wrk(Path script, int threads, int connections, double sampled) {
        this.script = script;
        this.threads = threads;
        this.connections = connections;
        this.sampled = sampled;
    }

    /** Fails with how to install wrk when it is not on the PATH. */
    static void requireInstalled() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Result run(String url, Duration duration) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections,
                "-d" + duration.toSeconds() + "s", "--timeout", "5s", "-s", script.toString(), url, "--",
                Double.toString(sampled))
                .redirectErrorStream(true);
        try {
            Process wrk = builder.start();
            String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = wrk.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("wrk exited with " + exit + ":\n" + out);
            }
            return parse(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run wrk", e);
        }
    }

    static Result parse(String out) {
        Matcher line = LINE.matcher(out);
        if (!line.find()) {
            throw new IllegalStateException("wrk printed no BENCH-RESULT line (is the script's done() hook intact?):\n" + out);
        }
        Map<String, Long> values = new HashMap<>();
        for (String pair : line.group(1).trim().split(" ")) {
            values.put(pair.substring(0, pair.indexOf('=')), Long.parseLong(pair.substring(pair.indexOf('=') + 1)));
        }
        return new Result(values.get("requests"), values.get("duration_us"), values.get("non2xx"),
                values.get("connect") + values.get("read") + values.get("write") + values.get("timeout"),
                values.get("p50_us"), values.get("p99_us"), values.get("p999_us"), values.get("max_us"));
    }
}
