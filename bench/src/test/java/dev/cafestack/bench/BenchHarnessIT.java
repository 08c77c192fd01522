package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark harness for a few seconds with a tiny load against the packaged services: it must start both
 * JVMs, measure, print every figure for every configuration and stop everything it started. Timings are never
 * asserted (this machine is shared); that the figures exist and are numbers is.
 */
class BenchHarnessIT {

    static final Path ROOT = Path.of(System.getProperty("cafe.root", "..")).toAbsolutePath().normalize();

    static final List<String> FIGURES = List.of("orders_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms", "non2xx",
            "mocha_rss_median_mib", "mocha_rss_max_mib", "mocha_cpu_ms_per_1k", "ready_mocha_ms",
            "ready_mocha_ms_min", "ready_mocha_ms_max", "latte_rss_median_mib", "latte_rss_max_mib", "latte_cpu_ms_per_1k",
            "ready_latte_ms", "ready_latte_ms_min", "ready_latte_ms_max");

    @Test
    @DisplayName("a brief run of two rounds starts both services afresh in each, times two launches of each, prints every "
            + "figure of obs-off, obs-on and latte-down, and stops what it started")
    void briefRunPrintsEveryFigureAndStopsCleanly(@TempDir Path out) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Bench bench = new Bench(Options.parse("--root=" + ROOT, "--runs=1", "--rounds=2", "--launches=2", "--idle-wait=1s", "--duration=2s",
                "--warmup=1x1s", "--threads=1", "--connections=2", "--ports=free", "--profile=true", "--out=" + out), new PrintStream(printed, true,
                StandardCharsets.UTF_8));

        int exit = bench.run();
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        assertThat(exit).as(text).isZero();
        assertThat(text).contains("machine: ",
                "mocha: image JVM flags (services/mocha/pom.xml with the root pom's Jib entrypoint): -XX:MaxRAMPercentage=",
                "latte: image JVM flags (services/latte/pom.xml with the root pom's Jib entrypoint): -XX:MaxRAMPercentage=",
                "-XX:MaxRAM=", "obs-off warm-up, orders/s per 1s window", "obs-on warm-up", "latte-down warm-up",
                "obs-on / obs-off: orders/s", "latte-down / obs-on: orders/s", "the OTLP sink received",
                "==== round 1 of 2", "==== round 2 of 2", "medians of 2 run(s) per config, 2 rounds of 1 (latte-down's 1 in the last round)",
                "obs-on / obs-off round by round (each round's medians; a round is one launch of each side): orders/s ",
                "latte-down: mocha threads", "BENCH-DONE");
        // The OTLP sink shares the services' cores: what its thread used is printed beside the spans it received.
        // (The services' batch processors export at least every 5 s: spans from the warm-up have arrived by then.)
        assertThat(text).containsPattern("the OTLP sink received [1-9]\\d* spans in [1-9]\\d* exports for \\d+ orders .*; "
                + "its thread used [1-9]\\d* CPU-ms \\(\\d+\\.\\d\\d per 1k orders\\)");
        // The services were packaged by the JVM that runs them here: each maps its AppCDS archive, as in the image.
        assertThat(text).contains("obs-off: class data archive app-cds.jsa in use by latte and mocha",
                "obs-on: class data archive app-cds.jsa in use by latte and mocha");

        Map<String, Map<String, String>> summaries = summaries(text);
        assertThat(summaries).containsOnlyKeys("obs-off", "obs-on", "latte-down");
        summaries.forEach((config, figures) -> {
            assertThat(figures).as(config).containsKeys(FIGURES.toArray(String[]::new));
            figures.forEach((name, value) -> {
                boolean latteGone = config.equals("latte-down") && name.startsWith("latte_") && !name.startsWith("ready_");
                assertThat(value).as(config + " " + name).matches(latteGone ? "-" : "\\d+(\\.\\d+)?");
            });
        });
        // Orders were served (201) with observability off and on, and mocha answered 503 with latte down. (How many
        // orders a short window holds, and whether a loaded machine blows a deadline, is timing: not asserted.)
        assertThat(text).contains("obs-off first order: HTTP 201", "obs-on first order: HTTP 201",
                "latte-down first order: HTTP 503");

        // --profile: each JVM's first measured run is recorded (JFR, started and stopped with jcmd: the one beside the
        // services' java, or the benchmark's own where that is a JRE, as the images' base is) and read back. How many
        // samples a short, light run holds is timing; which jcmd and which frames count are ProfilerTest's.
        for (String recorded : List.of("obs-off-mocha", "obs-off-latte", "obs-on-mocha", "obs-on-latte", "latte-down-mocha")) {
            assertThat(text).containsPattern(recorded.replaceFirst("-(mocha|latte)$", " $1") + " profile: \\d+ execution samples; "
                    + "hottest methods \\(own time\\):");
            assertThat(out.resolve(recorded + ".jfr")).isNotEmptyFile();
        }
        assertThat(text).contains("samples where compiled code called into the interpreter (a method not compiled yet, or deoptimized): ");
        // Only the first round is profiled (and latte-down, after the last).
        for (String recorded : List.of("obs-off mocha", "obs-off latte", "obs-on mocha", "obs-on latte", "latte-down mocha")) {
            assertThat(Pattern.compile(recorded + " profile: ").matcher(text).results().count()).as(recorded).isEqualTo(1);
        }

        // Two configurations, two services, two launches each per round: the first launch of each stopped once ready; the
        // second round's launch lines give that round's launches, the summary's ready times all four.
        assertThat(text).containsPattern("== obs-on: latte ready median \\d+ ms of 2 launches \\(\\d+, \\d+\\) after launch")
                .containsPattern("mocha ready median \\d+ ms of 2 launches \\(\\d+, \\d+\\) after launch")
                .containsPattern("obs-on +round 2 run 1/1: ")
                .containsPattern("obs-on / obs-off round by round .*: orders/s \\d+\\.\\d\\d \\d+\\.\\d\\d \\(median ");
        // Each launch waited for idle CPUs (at most --idle-wait), and a line says how long (a range, or one figure when
        // both waits took the same milliseconds), or that some found them busy.
        assertThat(text).containsPattern("obs-on: (each launch on idle CPUs|not every launch on idle CPUs); the waits before "
                + "them: latte \\d+(-\\d+)? ms.*, mocha \\d+(-\\d+)? ms");
        // The summary's ready times are those of both rounds' launches: their extremes are the four printed ones'.
        for (String service : List.of("mocha", "latte")) {
            Matcher launched = Pattern.compile("== obs-on: .*?" + service + " ready median \\d+ ms of 2 launches \\((\\d+), (\\d+)\\)")
                    .matcher(text);
            List<Long> each = new java.util.ArrayList<>();
            while (launched.find()) {
                each.add(Long.parseLong(launched.group(1)));
                each.add(Long.parseLong(launched.group(2)));
            }
            assertThat(each).as(service + " obs-on launches, both rounds").hasSize(4);
            assertThat(Long.parseLong(summaries.get("obs-on").get("ready_" + service + "_ms_min"))).as(service)
                    .isEqualTo(each.stream().mapToLong(Long::longValue).min().orElseThrow());
            assertThat(Long.parseLong(summaries.get("obs-on").get("ready_" + service + "_ms_max"))).as(service)
                    .isEqualTo(each.stream().mapToLong(Long::longValue).max().orElseThrow());
        }
        summaries.forEach((config, figures) -> {
            for (String service : List.of("mocha", "latte")) {
                long min = Long.parseLong(figures.get("ready_" + service + "_ms_min"));
                long max = Long.parseLong(figures.get("ready_" + service + "_ms_max"));
                assertThat(Long.parseLong(figures.get("ready_" + service + "_ms"))).as(config + " " + service)
                        .isBetween(min, max);
            }
        });
        assertThat(bench.startedPids()).hasSize(16)
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("pid " + pid)
                        .isNotEqualTo(java.util.Optional.of(true)));
        assertThat(out.resolve("obs-on-mocha.log")).exists();
        // The first of the two launches kept its own output.
        assertThat(out.resolve("obs-on-mocha-launch1.log")).exists();
        assertThat(out.resolve("obs-off-latte-launch1.log")).exists();
        assertThat(out.resolve("obs-on-mocha-round2.log")).exists();
        assertThat(out.resolve("obs-off-latte-round2-launch1.log")).exists();
        assertThat(out.resolve("obs-on-mocha/config/mocha.yaml")).exists();
    }

    @Test
    @DisplayName("the harness refuses to start when one of its ports is taken, and starts nothing")
    void refusesTakenPorts(@TempDir Path out) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Bench bench = new Bench(Options.parse("--root=" + ROOT, "--ports=" + taken.getLocalPort() + ",0,0,0,0,0,0,0",
                    "--out=" + out), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            org.assertj.core.api.Assertions.assertThatThrownBy(bench::run)
                    .hasMessageContaining("refusing to start: port(s) " + taken.getLocalPort() + " (obs-off mocha HTTP) already in use");
            assertThat(bench.startedPids()).isEmpty();
        }
        assertThat(Files.list(out)).isEmpty();
    }

    static Map<String, Map<String, String>> summaries(String text) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)^BENCH-SUMMARY config=(\\S+) (.*)$").matcher(text);
        while (line.find()) {
            Map<String, String> figures = new LinkedHashMap<>();
            for (String pair : line.group(2).trim().split(" ")) {
                figures.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            out.put(line.group(1), figures);
        }
        return out;
    }
}
