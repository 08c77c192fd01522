package dev.cafestack.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The load benchmark of the mocha → latte hop. Starts the packaged services (the fast-jars the images hold, with the
 * image's JVM flags and the rendered Deployment's environment and limits), warms them up, drives
 * {@code POST /api/orders} with wrk, and prints per run and as medians: orders/s, latency percentiles, non-2xx
 * answers, RSS and CPU per 1,000 orders of each JVM, and launch-to-ready times, for observability off, on, and with
 * latte down. Run it with {@code ./mvnw -o -pl bench -am package -DskipTests -P bench} (README.md).
 */
public final class Bench {

    /** The ports a real run uses (as on a developer's machine); {@code --ports=free} picks free ones instead. */
    static final int MOCHA_HTTP = 8080;
    static final int LATTE_GRPC = 9000;
    static final int LATTE_HTTP = 8081;
    static final int OTLP = 4317;

    /** The warm-up ends once two windows in a row agree within this many percent (the JIT has settled)... */
    static final double SETTLED_PERCENT = 3.0;
    /** ...but not before this many windows: the first ones run interpreted code and can agree by chance. */
    static final int MIN_WARMUP_WINDOWS = 4;

    /** One service's use of the machine during one measured run. */
    record Usage(double rssMedianMiB, double rssMaxMiB, double cpuMsPer1k, long threadsMax, long fdsMax) {
    }

    /** One measured run of one configuration. */
    record Run(String config, int index, Wrk.Result load, Map<String, Usage> usage) {
    }

    /** What was started for one configuration and how long each took to be ready. */
    record Launch(String config, Map<String, Long> readyMillis) {
    }

    private static final HttpClient PROBE = HttpClient.newHttpClient();

    private final Options options;
    private final PrintStream out;
    private final List<ServiceProcess> started = new CopyOnWriteArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    private final Map<String, Launch> launches = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private Sampler sampler;
    private Map<String, String> imageEnv = Map.of();

    Bench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = new Bench(Options.parse(args), System.out).run();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("bench: " + e.getMessage());
            exit = 2;
        }
        System.exit(exit);
    }

    /** The process ids of every JVM this run started (for checks that they are gone). */
    List<Long> startedPids() {
        return started.stream().map(ServiceProcess::pid).toList();
    }

    int run() {
        int[] ports = ports();
        Wrk.requireInstalled();
        Thread cleanup = new Thread(this::stopAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Files.createDirectories(options.out());
            Path script = options.out().resolve("orders.lua");
            try (InputStream lua = Bench.class.getResourceAsStream("/bench/orders.lua")) {
                Files.copy(lua, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path root = options.root();
            List<String> imageFlags = Deployments.imageJvmFlags(root.resolve("pom.xml"));
            imageEnv = Deployments.imageEnvironment(root.resolve("pom.xml"));
            Deployments.Container latte = Deployments.container(
                    root.resolve("services/latte/target/cafe/" + options.env() + "/kubernetes.yml"), "latte");
            Deployments.Container mocha = Deployments.container(
                    root.resolve("services/mocha/target/cafe/" + options.env() + "/kubernetes.yml"), "mocha");
            header(imageFlags, latte, mocha, ports);
            Wrk wrk = new Wrk(script, options.threads(), options.connections());
            String orders = "http://127.0.0.1:" + ports[0] + "/api/orders";
            sampler = new Sampler();
            try (OtlpSink sink = new OtlpSink(ports[3])) {
                for (String config : List.of("obs-off", "obs-on")) {
                    boolean measure = options.configs().contains(config);
                    boolean latteDown = config.equals("obs-on") && options.configs().contains("latte-down");
                    if (!measure && !latteDown) {
                        continue;
                    }
                    long spansBefore = sink.spans();
                    ServiceProcess latteJvm = start(config, latte, imageFlags, ports, env(config, latte, ports));
                    long latteReady = latteJvm.awaitReady("http://127.0.0.1:" + ports[2] + "/q/health/ready", Duration.ofSeconds(60));
                    ServiceProcess mochaJvm = start(config, mocha, imageFlags, ports, env(config, mocha, ports));
                    long mochaReady = mochaJvm.awaitReady("http://127.0.0.1:" + ports[0] + "/q/health/ready", Duration.ofSeconds(60));
                    launches.put(config, new Launch(config, Map.of("mocha", mochaReady, "latte", latteReady)));
                    out.printf(Locale.ROOT, "%n== %s: latte ready %d ms after launch (pid %d), mocha ready %d ms after launch (pid %d)%n",
                            config, latteReady, latteJvm.pid(), mochaReady, mochaJvm.pid());
                    try {
                        out.println(config + " first order: " + probe(orders));
                        long warmupOrders = warmUp(config, wrk, orders);
                        if (measure) {
                            measure(config, wrk, orders, List.of(mochaJvm, latteJvm));
                            if (config.equals("obs-on")) {
                                Thread.sleep(1500); // one more export interval of the batch span processor
                                long spans = sink.spans() - spansBefore;
                                long served = runs.stream().filter(r -> r.config.equals(config))
                                        .mapToLong(r -> r.load.requests()).sum();
                                notes.put("spans", String.format(Locale.ROOT,
                                        "obs-on: the OTLP sink received %d spans in %d exports for %d orders (warm-up and runs; "
                                                + "%.1f spans per 100 orders)",
                                        spans, sink.exports(), served + warmupOrders + 1,
                                        spans * 100.0 / (served + warmupOrders + 1)));
                                out.println(notes.get("spans"));
                            }
                        }
                        if (latteDown) {
                            latteDown(wrk, orders, mochaJvm, latteJvm);
                        }
                    } finally {
                        stop(mochaJvm);
                        stop(latteJvm);
                    }
                }
            }
            summary();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("bench: interrupted");
            return 130;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            if (sampler != null) {
                sampler.close();
            }
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Refuses to run when a port it needs is taken; returns mocha HTTP, latte gRPC, latte HTTP, OTLP. */
    private int[] ports() {
        if (options.ports().equals("free")) {
            int[] ports = new int[4];
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < ports.length; i++) {
                    ServerSocket socket = new ServerSocket(0);
                    held.add(socket);
                    ports[i] = socket.getLocalPort();
                }
                for (ServerSocket socket : held) {
                    socket.close();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot find free ports: " + e.getMessage(), e);
            }
            return ports;
        }
        int[] ports = options.ports().equals("default") ? new int[] {MOCHA_HTTP, LATTE_GRPC, LATTE_HTTP, OTLP}
                : java.util.Arrays.stream(options.ports().split(",")).mapToInt(Integer::parseInt).toArray();
        String[] owners = {"mocha HTTP", "latte gRPC", "latte HTTP", "OTLP sink"};
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            try (ServerSocket probe = new ServerSocket()) {
                // As the services bind (SO_REUSEADDR): a listener makes this fail, connections of the previous run
                // lingering in TIME_WAIT do not.
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress("0.0.0.0", ports[i]));
            } catch (IOException e) {
                taken.add(ports[i] + " (" + owners[i] + ")");
            }
        }
        if (!taken.isEmpty()) {
            throw new IllegalStateException("refusing to start: port(s) " + String.join(", ", taken)
                    + " already in use. Stop what listens there (ss -ltnp), or run with -Dbench.ports=free.");
        }
        return ports;
    }

    private void header(List<String> imageFlags, Deployments.Container latte, Deployments.Container mocha, int[] ports) {
        out.println("== cafe-stack bench " + Instant.now());
        out.println("machine: " + Machine.describe());
        out.println("java: " + Machine.javaVersion(options.java()) + " (" + options.java() + ")");
        out.println("image JVM flags (root pom, Jib entrypoint): " + String.join(" ", imageFlags));
        out.println("image environment (root pom, Jib container): " + imageEnv);
        for (Deployments.Container c : List.of(mocha, latte)) {
            out.printf(Locale.ROOT, "%s: environment '%s' Deployment limits cpu %s memory %s -> %s%n", c.service(),
                    options.env(), c.cpuLimit(), c.memoryLimit(), String.join(" ", containerFlags(c)));
        }
        out.printf(Locale.ROOT, "load: wrk -t%d -c%d, POST /api/orders; warm-up %d x %ds; %d run(s) of %ds per config; "
                        + "ports mocha %d, latte %d/%d, OTLP %d; output %s%n", options.threads(), options.connections(),
                options.warmupWindows(), options.warmupWindow().toSeconds(), options.runs(), options.duration().toSeconds(),
                ports[0], ports[1], ports[2], ports[3], options.out());
    }

    /** The container's limits as the JVM sees them inside it: the heap share applies to the memory limit. */
    private static List<String> containerFlags(Deployments.Container c) {
        return List.of("-XX:MaxRAM=" + c.memoryLimitBytes(), "-XX:ActiveProcessorCount=" + c.cpus());
    }

    private Map<String, String> env(String config, Deployments.Container c, int[] ports) {
        // The image's environment first; the Deployment's env overrides it, as in a pod.
        Map<String, String> env = new LinkedHashMap<>(imageEnv);
        env.putAll(c.envWithMountsUnder(options.out().resolve(config + "-" + c.service())));
        c.fromFields().forEach((name, field) -> env.put(name, field.equals("metadata.name") ? c.service() + "-bench" : field));
        env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + ports[3]);
        // Local only, and no drain window on stop (the pods' 5 s wait for endpoint removal).
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_SHUTDOWN_DELAY_ENABLED", "false");
        if (c.service().equals("latte")) {
            env.put("QUARKUS_HTTP_PORT", Integer.toString(ports[2]));
            env.put("QUARKUS_GRPC_SERVER_HOST", "127.0.0.1");
            env.put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(ports[1]));
        } else {
            env.put("QUARKUS_HTTP_PORT", Integer.toString(ports[0]));
            env.put("LATTE_HOST", "127.0.0.1");
            env.put("LATTE_PORT", Integer.toString(ports[1]));
        }
        if (config.equals("obs-off")) {
            env.put("QUARKUS_OTEL_SDK_DISABLED", "true");
            env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
            env.put("CAFE_METRICS_ENABLED", "false");
        }
        return env;
    }

    private ServiceProcess start(String config, Deployments.Container c, List<String> imageFlags, int[] ports,
            Map<String, String> env) {
        List<String> flags = new ArrayList<>(imageFlags);
        flags.addAll(containerFlags(c));
        // Extra flags for an investigation (a profiler agent, Native Memory Tracking), after the image's own.
        options.jvmArgs().forEach(a -> flags.add(a.replace("{config}", config).replace("{service}", c.service())));
        ServiceProcess process = ServiceProcess.start(c.service(), options.java(), flags,
                options.root().resolve("services/" + c.service() + "/target/quarkus-app"), env,
                options.out().resolve(config + "-" + c.service() + ".log"));
        started.add(process);
        return process;
    }

    /**
     * Runs warm-up windows until the JIT has settled (two windows in a row within {@link #SETTLED_PERCENT} of each
     * other, after at least {@link #MIN_WARMUP_WINDOWS}) or the configured number of windows is spent; prints every
     * window's rate and the verdict, and returns the orders the warm-up served.
     */
    private long warmUp(String config, Wrk wrk, String url) throws InterruptedException {
        List<String> rates = new ArrayList<>();
        long served = 0;
        double last = 0;
        double previous = 0;
        double change = Double.NaN;
        for (int i = 0; i < options.warmupWindows(); i++) {
            previous = last;
            Wrk.Result window = wrk.run(url, options.warmupWindow());
            served += window.requests();
            last = window.rate();
            rates.add(String.format(Locale.ROOT, "%,.0f", last));
            change = previous == 0 ? Double.NaN : (last - previous) / previous * 100;
            if (i + 1 >= MIN_WARMUP_WINDOWS && Math.abs(change) <= SETTLED_PERCENT) {
                break;
            }
        }
        String verdict = Double.isNaN(change) ? "one window: cannot tell whether the JIT has settled"
                : Math.abs(change) <= SETTLED_PERCENT
                        ? String.format(Locale.ROOT, "settled: last two windows within %.1f%%", Math.abs(change))
                        : String.format(Locale.ROOT, "NOT settled after %d windows: last window %+.1f%% on the one before; "
                                + "allow more (-Dbench.warmup=...)", rates.size(), change);
        out.printf(Locale.ROOT, "%s warm-up, orders/s per %ds window (JIT settling): %s (%s)%n", config,
                options.warmupWindow().toSeconds(), String.join(" -> ", rates), verdict);
        return served;
    }

    private void measure(String config, Wrk wrk, String url, List<ServiceProcess> jvms) throws InterruptedException {
        for (int i = 1; i <= options.runs(); i++) {
            Map<String, Long> cpuBefore = new LinkedHashMap<>();
            jvms.forEach(j -> cpuBefore.put(j.name, Proc.cpuMillis(j.pid())));
            boolean profile = options.profile() && i == 1;
            Profiler profiler = new Profiler(options.java());
            if (profile) {
                jvms.forEach(j -> profiler.start(j.pid(), options.out().resolve(config + "-" + j.name + ".jfr")));
            }
            sampler.record(jvms);
            Wrk.Result load = wrk.run(url, options.duration());
            Map<String, Sampler.Samples> samples = sampler.stop();
            if (profile) {
                for (ServiceProcess j : jvms) {
                    profiler.stop(j.pid());
                    try {
                        out.println(config + " " + j.name + " profile: "
                                + Profiler.top(options.out().resolve(config + "-" + j.name + ".jfr"), 25));
                    } catch (IOException e) {
                        out.println(config + " " + j.name + " profile unreadable: " + e.getMessage());
                    }
                }
            }
            Map<String, Usage> usage = new LinkedHashMap<>();
            for (ServiceProcess j : jvms) {
                if (!j.alive()) {
                    continue;
                }
                long cpu = Proc.cpuMillis(j.pid()) - cpuBefore.get(j.name);
                Sampler.Samples s = samples.get(j.name);
                usage.put(j.name, new Usage(s.rssMedianMiB(), s.rssMaxMiB(),
                        load.requests() == 0 ? 0 : cpu * 1000.0 / load.requests(), s.threadsMax(), s.fdsMax()));
            }
            Run run = new Run(config, i, load, usage);
            runs.add(run);
            out.println(describe(run));
        }
    }

    private void latteDown(Wrk wrk, String url, ServiceProcess mocha, ServiceProcess latte) throws InterruptedException {
        long threadsBefore = Proc.threads(mocha.pid());
        long fdsBefore = Proc.openFds(mocha.pid());
        int exit = stop(latte);
        out.printf(Locale.ROOT, "%n== latte-down: latte stopped (exit %d); mocha has %d threads, %d open fds%n", exit,
                threadsBefore, fdsBefore);
        out.println("latte-down first order: " + probe(url));
        warmUp("latte-down", wrk, url);
        measure("latte-down", wrk, url, List.of(mocha));
        Thread.sleep(500);
        long threadsAfter = Proc.threads(mocha.pid());
        long fdsAfter = Proc.openFds(mocha.pid());
        long threadsMax = runs.stream().filter(r -> r.config.equals("latte-down")).mapToLong(r -> r.usage.get("mocha").threadsMax())
                .max().orElse(-1);
        long fdsMax = runs.stream().filter(r -> r.config.equals("latte-down")).mapToLong(r -> r.usage.get("mocha").fdsMax())
                .max().orElse(-1);
        notes.put("pile-up", String.format(Locale.ROOT,
                "latte-down: mocha threads %d before -> max %d under load -> %d after; open fds %d -> max %d -> %d "
                        + "(wrk holds %d connections); last order: %s",
                threadsBefore, threadsMax, threadsAfter, fdsBefore, fdsMax, fdsAfter, options.connections(), probe(url)));
        out.println(notes.get("pile-up"));
    }

    /** One order, timed: the status mocha answers and how long it took. */
    private static String probe(String url) throws InterruptedException {
        HttpRequest order = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"drink\":\"latte\",\"size\":\"medium\"}")).build();
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> answer = PROBE.send(order, HttpResponse.BodyHandlers.ofString());
            return String.format(Locale.ROOT, "HTTP %d in %.1f ms %s", answer.statusCode(), (System.nanoTime() - t0) / 1e6,
                    answer.body().length() > 160 ? answer.body().substring(0, 160) + "…" : answer.body());
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    private int stop(ServiceProcess process) throws InterruptedException {
        return process.stop();
    }

    private void stopAll() {
        for (ServiceProcess process : started) {
            try {
                process.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private String describe(Run run) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "%-10s run %d/%d: %,9.0f orders/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %7.2f ms  max %7.2f ms  non-2xx %,d  socket errors %d",
                run.config, run.index, options.runs(), run.load.rate(), run.load.p50() / 1e3, run.load.p99() / 1e3,
                run.load.p999() / 1e3, run.load.max() / 1e3, run.load.non2xx(), run.load.socketErrors()));
        run.usage.forEach((service, u) -> line.append(String.format(Locale.ROOT,
                "  | %s RSS %.0f/%.0f MiB (median/max), %.1f CPU-ms per 1k orders, %d threads",
                service, u.rssMedianMiB(), u.rssMaxMiB(), u.cpuMsPer1k(), u.threadsMax())));
        return line.toString();
    }

    private void summary() {
        out.printf(Locale.ROOT, "%n== medians of %d run(s) per config (%s; load after: %s)%n", options.runs(),
                Machine.describe(), Machine.loadAverage());
        out.printf(Locale.ROOT, "%-10s %10s %8s %8s %9s %9s %9s %16s %12s %16s %12s %14s%n", "config", "orders/s",
                "p50 ms", "p99 ms", "p99.9 ms", "max ms", "non-2xx", "mocha RSS MiB", "mocha CPU", "latte RSS MiB",
                "latte CPU", "ready ms");
        out.printf(Locale.ROOT, "%-10s %10s %8s %8s %9s %9s %9s %16s %12s %16s %12s %14s%n", "", "", "", "", "", "", "",
                "median/max", "ms/1k orders", "median/max", "ms/1k orders", "mocha/latte");
        for (String config : Options.CONFIGS) {
            List<Run> of = runs.stream().filter(r -> r.config.equals(config)).toList();
            if (of.isEmpty()) {
                continue;
            }
            Launch launch = launches.get(config.equals("latte-down") ? "obs-on" : config);
            out.printf(Locale.ROOT, "%-10s %,10.0f %8.2f %8.2f %9.2f %9.2f %,9d %16s %12s %16s %12s %14s%n", config,
                    median(of, r -> r.load.rate()), median(of, r -> r.load.p50() / 1e3), median(of, r -> r.load.p99() / 1e3),
                    median(of, r -> r.load.p999() / 1e3), median(of, r -> r.load.max() / 1e3),
                    (long) median(of, r -> r.load.non2xx()), rss(of, "mocha"), cpu(of, "mocha"), rss(of, "latte"),
                    cpu(of, "latte"), launch.readyMillis().get("mocha") + "/" + launch.readyMillis().get("latte"));
            StringBuilder machine = new StringBuilder("BENCH-SUMMARY config=" + config);
            machine.append(String.format(Locale.ROOT, " orders_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d",
                    median(of, r -> r.load.rate()), median(of, r -> r.load.p50() / 1e3), median(of, r -> r.load.p99() / 1e3),
                    median(of, r -> r.load.p999() / 1e3), median(of, r -> r.load.max() / 1e3), (long) median(of, r -> r.load.non2xx())));
            for (String service : List.of("mocha", "latte")) {
                boolean has = of.stream().allMatch(r -> r.usage.containsKey(service));
                machine.append(has ? String.format(Locale.ROOT, " %s_rss_median_mib=%.1f %s_rss_max_mib=%.1f %s_cpu_ms_per_1k=%.2f",
                        service, median(of, r -> r.usage.get(service).rssMedianMiB()), service,
                        of.stream().mapToDouble(r -> r.usage.get(service).rssMaxMiB()).max().orElse(0), service,
                        median(of, r -> r.usage.get(service).cpuMsPer1k()))
                        : String.format(Locale.ROOT, " %s_rss_median_mib=- %s_rss_max_mib=- %s_cpu_ms_per_1k=-", service, service, service));
                machine.append(" ready_").append(service).append("_ms=").append(launch.readyMillis().get(service));
            }
            out.println(machine);
        }
        List<Run> off = runs.stream().filter(r -> r.config.equals("obs-off")).toList();
        List<Run> on = runs.stream().filter(r -> r.config.equals("obs-on")).toList();
        List<Run> down = runs.stream().filter(r -> r.config.equals("latte-down")).toList();
        if (!off.isEmpty() && !on.isEmpty()) {
            out.printf(Locale.ROOT, "obs-on / obs-off: orders/s %.2fx (target >= 0.90x), p99 %.2fx (target <= 1.20x)%n",
                    median(on, r -> r.load.rate()) / median(off, r -> r.load.rate()),
                    median(on, r -> r.load.p99()) / median(off, r -> r.load.p99()));
        }
        if (!on.isEmpty() && !down.isEmpty()) {
            out.printf(Locale.ROOT, "latte-down / obs-on: orders/s %.2fx (target >= 0.50x); latte-down max latency %.1f ms%n",
                    median(down, r -> r.load.rate()) / median(on, r -> r.load.rate()),
                    down.stream().mapToDouble(r -> r.load.max() / 1e3).max().orElse(0));
        }
        notes.values().forEach(out::println);
        out.println("BENCH-DONE");
    }

    private String rss(List<Run> of, String service) {
        if (!of.stream().allMatch(r -> r.usage.containsKey(service))) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f/%.0f", median(of, r -> r.usage.get(service).rssMedianMiB()),
                of.stream().mapToDouble(r -> r.usage.get(service).rssMaxMiB()).max().orElse(0));
    }

    private String cpu(List<Run> of, String service) {
        if (!of.stream().allMatch(r -> r.usage.containsKey(service))) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f", median(of, r -> r.usage.get(service).cpuMsPer1k()));
    }

    static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        return Stats.median(runs.stream().mapToDouble(figure).toArray());
    }

    /** Machine facts for the record: the figures mean little without them. */
    static final class Machine {
        static String describe() {
            String cpu = "?";
            long memMiB = -1;
            try {
                cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                        .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
                memMiB = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                        .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D+", "")) / 1024).orElse(-1L);
            } catch (IOException | RuntimeException e) {
                // facts only
            }
            return String.format(Locale.ROOT, "%d CPUs (%s), %d MiB RAM, load average %s",
                    Runtime.getRuntime().availableProcessors(), cpu, memMiB, loadAverage());
        }

        static String loadAverage() {
            try {
                String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return load[0] + " " + load[1] + " " + load[2];
            } catch (IOException e) {
                return "?";
            }
        }

        static String javaVersion(String java) {
            try {
                Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                String[] lines = text.split("\n");
                return lines.length > 1 ? lines[1].trim() : text.trim();
            } catch (IOException e) {
                return "? (" + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "?";
            }
        }
    }
}
