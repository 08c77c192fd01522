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

import dev.cafestack.localrun.Deployments;
import dev.cafestack.localrun.LocalPorts;
import dev.cafestack.localrun.ServiceProcess;

/**
 * The load benchmark of the mocha → latte hop. Starts the packaged services (the quarkus-app the images hold, with the
 * image's JVM flags and the rendered Deployment's environment and limits), warms them up, drives
 * {@code POST /api/orders} with wrk, and prints per run and as medians: orders/s, latency percentiles, non-2xx
 * answers, RSS and CPU per 1,000 orders of each JVM, and launch-to-ready times, for observability off, on, and with
 * latte down. Run it with {@code ./mvnw -o -pl bench -am package -DskipTests -P bench} (README.md).
 */
public final class Bench {

    /**
     * The ports a real run uses (as on a developer's machine): mocha HTTP, latte gRPC, latte HTTP of the obs-off pair,
     * the same of the obs-on pair, and the OTLP sink's gRPC and HTTP ports (a collector's two). {@code --ports=free}
     * picks free ones instead.
     */
    static final int[] DEFAULT_PORTS = {8080, 9000, 8081, 8082, 9001, 8083, 4317, 4318};
    static final String[] PORT_OWNERS = {"obs-off mocha HTTP", "obs-off latte gRPC", "obs-off latte HTTP",
        "obs-on mocha HTTP", "obs-on latte gRPC", "obs-on latte HTTP", "OTLP sink gRPC", "OTLP sink HTTP"};

    /** The warm-up ends once two windows in a row agree within this many percent (the JIT has settled)... */
    static final double SETTLED_PERCENT = 3.0;
    /** ...but not before this many windows: the first ones run interpreted code and can agree by chance. */
    static final int MIN_WARMUP_WINDOWS = 4;
    /** ...and each JVM's JIT compilers were busy for less than this share of the last window. */
    static final double SETTLED_JIT_PERCENT = 1.0;

    /** One service's use of the machine during one measured run. */
    record Usage(double rssMedianMiB, double rssMaxMiB, double cpuMsPer1k, long threadsMax, long fdsMax) {
    }

    /** One measured run of one configuration: the {@code index}th of its launch's {@code round}. */
    record Run(String config, int round, int index, Wrk.Result load, Map<String, Usage> usage) {
    }

    /**
     * What was started for one configuration and how long each service took to be ready, launch by launch, and how long
     * the bench waited for idle CPUs before each launch ({@code waits}, empty when it did not wait).
     */
    record Launch(String config, Map<String, List<Long>> readyMillis, Map<String, List<IdleCpus.Wait>> waits) {

        Launch(String config, Map<String, List<Long>> readyMillis) {
            this(config, readyMillis, Map.of());
        }

        /** This configuration's launches with those of a later round. */
        Launch and(Launch later) {
            Map<String, List<Long>> ready = new LinkedHashMap<>();
            Map<String, List<IdleCpus.Wait>> waited = new LinkedHashMap<>();
            for (Launch l : List.of(this, later)) {
                l.readyMillis.forEach((service, ms) -> ready.computeIfAbsent(service, s -> new ArrayList<>()).addAll(ms));
                l.waits.forEach((service, w) -> waited.computeIfAbsent(service, s -> new ArrayList<>()).addAll(w));
            }
            return new Launch(config, ready, waited);
        }

        /** The median launch -> ready of a service, in milliseconds. */
        long median(String service) {
            return Math.round(Stats.median(readyMillis.get(service).stream().mapToDouble(Long::doubleValue).toArray()));
        }

        long min(String service) {
            return readyMillis.get(service).stream().mapToLong(Long::longValue).min().orElseThrow();
        }

        long max(String service) {
            return readyMillis.get(service).stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        String describe(String service) {
            List<Long> each = readyMillis.get(service);
            return each.size() == 1 ? each.get(0) + " ms"
                    : String.format(Locale.ROOT, "median %d ms of %d launches (%s)", median(service), each.size(),
                            String.join(", ", each.stream().map(String::valueOf).toList()));
        }

        /** How long the bench waited for idle CPUs before the launches, and how many found them busy; empty: no waits. */
        String idleNote() {
            if (waits.isEmpty()) {
                return "";
            }
            List<String> each = new ArrayList<>();
            boolean allIdle = true;
            for (String service : List.of("latte", "mocha")) {
                List<IdleCpus.Wait> waited = waits.getOrDefault(service, List.of());
                if (waited.isEmpty()) {
                    continue;
                }
                long idle = waited.stream().filter(IdleCpus.Wait::idle).count();
                allIdle &= idle == waited.size();
                long min = waited.stream().mapToLong(IdleCpus.Wait::millis).min().orElseThrow();
                long max = waited.stream().mapToLong(IdleCpus.Wait::millis).max().orElseThrow();
                each.add(service + " " + (min == max ? min + " ms" : min + "-" + max + " ms")
                        + (idle == waited.size() ? "" : " (" + (waited.size() - idle) + " of " + waited.size()
                                + " launches on busy CPUs after the wait's limit)"));
            }
            return String.format(Locale.ROOT, "%s: %s; the waits before them: %s", config,
                    allIdle ? "each launch on idle CPUs" : "not every launch on idle CPUs", String.join(", ", each));
        }
    }

    /** One configuration's running services: mocha and latte with their own ports, both started by this run. */
    record Pair(String config, int mochaHttp, int latteGrpc, int latteHttp, ServiceProcess mocha, ServiceProcess latte) {

        String orders() {
            return "http://127.0.0.1:" + mochaHttp + "/api/orders";
        }

        List<ServiceProcess> jvms() {
            return latte.alive() ? List.of(mocha, latte) : List.of(mocha);
        }
    }

    private static final HttpClient PROBE = HttpClient.newHttpClient();

    private final Options options;
    private final PrintStream out;
    private final List<ServiceProcess> started = new CopyOnWriteArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    private final Map<String, Launch> launches = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private Sampler sampler;
    /** The round being run (1 to --rounds): each launches, warms up and measures both configurations afresh. */
    private int round = 1;
    /** Each service's image environment (its pom's Jib container, with its parents'). */
    private final Map<String, Map<String, String>> imageEnv = new LinkedHashMap<>();

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

    /** The rounds to run: {@code --rounds}, or one when only latte-down is asked for (nothing to compare). */
    int rounds() {
        return options.configs().stream().allMatch("latte-down"::equals) ? 1 : options.rounds();
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
            // Each service's image entrypoint: the root pom's, with the service pom's properties (its young generation).
            Map<String, List<String>> imageFlags = new LinkedHashMap<>();
            for (String service : List.of("mocha", "latte")) {
                Deployments.Image image = Deployments.image(root.resolve("services/" + service + "/pom.xml"));
                imageFlags.put(service, image.jvmFlags());
                imageEnv.put(service, image.environment());
            }
            Deployments.Container latte = Deployments.container(
                    root.resolve("services/latte/target/cafe/" + options.env() + "/kubernetes.yml"), "latte");
            Deployments.Container mocha = Deployments.container(
                    root.resolve("services/mocha/target/cafe/" + options.env() + "/kubernetes.yml"), "mocha");
            header(imageFlags, latte, mocha, ports);
            // The mesh's sidecar decides which orders are traced (the Telemetry's rate, the environment's
            // cafe.trace.sampling, which the Deployment passes to mocha as CAFE_TRACE_SAMPLING) and says so in the
            // traceparent of every request it hands to mocha: the load does the same.
            String sampling = mocha.env().get("CAFE_TRACE_SAMPLING");
            if (sampling == null) {
                throw new IllegalStateException("mocha's rendered Deployment (" + options.env() + ") sets no CAFE_TRACE_SAMPLING: "
                        + "rebuild it (./mvnw -o -pl bench -am package -DskipTests)");
            }
            boolean ablation = !options.loadSampling().isEmpty();
            double share = Double.parseDouble(ablation ? options.loadSampling() : sampling);
            out.printf(Locale.ROOT, "load: each order carries a unique x-request-id and a traceparent, %.1f %% of them sampled "
                    + "%s%n", share * 100, ablation
                            ? "(--load-sampling=" + options.loadSampling() + ", an ablation: the environment's share is "
                                    + "mocha's CAFE_TRACE_SAMPLING=" + sampling + ")"
                            : "(mocha's CAFE_TRACE_SAMPLING=" + sampling + "), as mocha's sidecar hands them over");
            // obs-off's own share, when asked (--obs-off-load-sampling): two variants of prod that differ by the share.
            double offShare = options.obsOffLoadSampling().isEmpty() ? share : Double.parseDouble(options.obsOffLoadSampling());
            if (!options.obsOffLoadSampling().isEmpty()) {
                out.printf(Locale.ROOT, "load: obs-off's orders %.1f %% sampled (--obs-off-load-sampling=%s)%n", offShare * 100,
                        options.obsOffLoadSampling());
            }
            Map<String, Wrk> loads = new LinkedHashMap<>();
            for (String config : Options.CONFIGS) {
                loads.put(config, new Wrk(script, options.threads(), options.connections(),
                        config.equals("obs-off") ? offShare : share));
            }
            sampler = new Sampler();
            try (OtlpSink sink = new OtlpSink(ports[6], ports[7])) {
                // Both configurations run side by side and their measured runs alternate (obs-off, obs-on, obs-off, ...):
                // this machine's speed drifts by a quarter within an hour, and only runs taken together compare.
                List<String> measured = options.configs().stream().filter(c -> !c.equals("latte-down")).toList();
                int rounds = rounds();
                boolean latteDown = options.configs().contains("latte-down");
                List<String> needed = new ArrayList<>(measured);
                if (latteDown && !needed.contains("obs-on")) {
                    needed.add("obs-on");
                }
                // Each round launches both configurations afresh: a launch keeps its speed through all its runs, and
                // two launches of the same configuration can differ by 6-11 % (likely how C2 compiled each one's hot
                // code), so one launch per side compares two launches as much as two configurations
                // (docs/sizing-log.md). With latte-down alone nothing is compared: one round.
                Map<String, Pair> pairs = new LinkedHashMap<>();
                Map<String, Long> warmupOrders = new LinkedHashMap<>();
                for (int r = 1; r <= rounds; r++) {
                    round = r;
                    if (rounds > 1) {
                        out.printf(Locale.ROOT, "%n==== round %d of %d%n", round, rounds);
                    }
                    for (Pair pair : pairs.values()) {
                        stopQuietly(pair.mocha());
                        stopQuietly(pair.latte());
                    }
                    pairs.clear();
                    for (String config : Options.CONFIGS) {
                        if (needed.contains(config)) {
                            pairs.put(config, launch(config, config.equals("obs-off") ? 0 : 3, ports, latte, mocha, imageFlags));
                        }
                    }
                    for (Pair pair : pairs.values()) {
                        out.println(pair.config() + " first order: " + probe(pair.orders()));
                    }
                    warmUp(loads, pairs.values().stream().map(p -> new Target(p.config(), p.orders(), p.jvms())).toList(),
                            warmupOrders);
                    for (int i = 1; i <= options.runs(); i++) {
                        for (String config : measured) {
                            Pair pair = pairs.get(config);
                            measure(config, i, loads.get(config), pair.orders(), pair.jvms());
                        }
                    }
                }
                if (measured.contains("obs-on")) {
                    Thread.sleep(1500); // one more export interval of the batch span processor
                    // With obs-off's tracing switched back on (--obs-off-env), its services export to the same sink.
                    List<String> exporting = "false".equalsIgnoreCase(options.obsOffEnv().get("QUARKUS_OTEL_SDK_DISABLED"))
                            && measured.contains("obs-off") ? List.of("obs-on", "obs-off") : List.of("obs-on");
                    long served = runs.stream().filter(r -> exporting.contains(r.config)).mapToLong(r -> r.load.requests()).sum()
                            + exporting.stream().mapToLong(c -> warmupOrders.getOrDefault(c, 0L)).sum()
                            + (long) rounds * exporting.size(); // each round's first order of each
                    long sinkCpu = sink.cpuMillis();
                    notes.put("spans", String.format(Locale.ROOT,
                            "%s: the OTLP sink received %d spans in %d exports for %d orders (warm-up and runs; "
                                    + "%.1f spans per 100 orders); its thread used %d CPU-ms (%.2f per 1k orders) on the "
                                    + "services' cores, where a collector would not", String.join(" and ", exporting),
                            sink.spans(), sink.exports(), served,
                            sink.spans() * 100.0 / served, sinkCpu, sinkCpu * 1000.0 / served));
                    out.println(notes.get("spans"));
                }
                if (latteDown) {
                    Pair on = pairs.get("obs-on");
                    pairs.values().stream().filter(p -> p != on).forEach(p -> {
                        stopQuietly(p.mocha());
                        stopQuietly(p.latte());
                    });
                    latteDown(loads, on);
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

    /**
     * Starts one configuration's latte, waits until it is ready, then its mocha (whose readiness includes a call to
     * latte): each launch-to-ready time is taken with nothing else starting. Each service is launched
     * {@code --launches} times (all but the last stopped once ready), and its start is the median: a single start on
     * this machine moves by a third from one launch to the next.
     */
    private Pair launch(String config, int portOffset, int[] ports, Deployments.Container latte, Deployments.Container mocha,
            Map<String, List<String>> imageFlags) throws InterruptedException {
        int mochaHttp = ports[portOffset];
        int latteGrpc = ports[portOffset + 1];
        int latteHttp = ports[portOffset + 2];
        int[] own = {mochaHttp, latteGrpc, latteHttp, ports[6]};
        List<Long> latteReady = new ArrayList<>();
        List<IdleCpus.Wait> latteWaited = new ArrayList<>();
        ServiceProcess latteJvm = startReady(config, latte, imageFlags.get("latte"), env(config, latte, own),
                "http://127.0.0.1:" + latteHttp + "/q/health/ready", latteReady, latteWaited);
        List<Long> mochaReady = new ArrayList<>();
        List<IdleCpus.Wait> mochaWaited = new ArrayList<>();
        ServiceProcess mochaJvm = startReady(config, mocha, imageFlags.get("mocha"), env(config, mocha, own),
                "http://127.0.0.1:" + mochaHttp + "/q/health/ready", mochaReady, mochaWaited);
        Launch launch = new Launch(config, Map.of("mocha", List.copyOf(mochaReady), "latte", List.copyOf(latteReady)),
                options.idleWait().isZero() ? Map.of()
                        : Map.of("mocha", List.copyOf(mochaWaited), "latte", List.copyOf(latteWaited)));
        launches.merge(config, launch, Launch::and);
        out.printf(Locale.ROOT, "%n== %s: latte ready %s after launch (pid %d, ports %d/%d), mocha ready %s after launch "
                + "(pid %d, port %d)%n", config, launch.describe("latte"), latteJvm.pid(), latteGrpc, latteHttp,
                launch.describe("mocha"), mochaJvm.pid(), mochaHttp);
        String idleNote = launch.idleNote();
        if (!idleNote.isEmpty()) {
            out.println(idleNote);
        }
        reportClassDataArchive(config, List.of(latteJvm, mochaJvm));
        return new Pair(config, mochaHttp, latteGrpc, latteHttp, mochaJvm, latteJvm);
    }

    /**
     * Launches a service {@code --launches} times, each time on idle CPUs ({@code --idle-wait}; each wait is added to
     * {@code waits}), waiting until it is ready and adding its launch -> ready to {@code readyMillis}; stops all but
     * the last launch, which it returns.
     */
    private ServiceProcess startReady(String config, Deployments.Container c, List<String> imageFlags, Map<String, String> env,
            String readiness, List<Long> readyMillis, List<IdleCpus.Wait> waits) throws InterruptedException {
        for (int i = 1; ; i++) {
            // The last launch, which serves the load, writes <config>-<service>.log; the ones before keep their own.
            String log = config + "-" + c.service() + (round == 1 ? "" : "-round" + round)
                    + (i == options.launches() ? "" : "-launch" + i) + ".log";
            IdleCpus.Wait wait = IdleCpus.await(options.idleWait());
            waits.add(wait);
            if (!wait.idle()) {
                out.printf(Locale.ROOT, "%s %s launch %d: the CPUs were not idle for %d windows in a row within %d ms "
                        + "(--idle-wait; the last window %.0f %% busy): launched anyway, its start shares them%n", config,
                        c.service(), i, IdleCpus.WINDOWS, wait.millis(), wait.lastBusy() * 100);
            }
            ServiceProcess jvm = start(config, c, imageFlags, env, log);
            readyMillis.add(jvm.awaitReady(readiness, Duration.ofSeconds(60)));
            if (i == options.launches()) {
                return jvm;
            }
            int exit = jvm.stop();
            // 143: SIGTERM's exit, the graceful one (Quarkus finishes its shutdown, then exits with the signal's code).
            if (exit != 0 && exit != 143) {
                throw new IllegalStateException(config + " " + c.service() + " exited with " + exit + " when stopped after "
                        + "launch " + i + ": " + jvm.log + "\n" + jvm.tail());
            }
        }
    }

    /**
     * Says whether the JVMs use the image's AppCDS archive (the -XX:SharedArchiveFile each was started with): a JVM
     * silently ignores an archive that another JVM build wrote, or whose jars changed since, and then starts slower than
     * the image does.
     */
    private void reportClassDataArchive(String config, List<ServiceProcess> jvms) {
        List<ServiceProcess> withArchive = jvms.stream().filter(jvm -> jvm.classDataArchive().isPresent()).toList();
        if (withArchive.isEmpty()) {
            return;
        }
        // One name for all (the image's app-cds.jsa), or each JVM's own (an ablation's per-service archive).
        List<String> names = withArchive.stream().map(jvm -> jvm.classDataArchive().get()).distinct().toList();
        String archive = names.size() == 1 ? names.get(0)
                : String.join(", ", withArchive.stream().map(jvm -> jvm.classDataArchive().get() + " (" + jvm.name + ")").toList());
        List<String> without = withArchive.stream().filter(jvm -> !jvm.maps(jvm.classDataArchive().get()))
                .map(jvm -> jvm.name).toList();
        if (without.isEmpty()) {
            out.printf(Locale.ROOT, "%s: class data archive %s in use by %s%n", config, archive,
                    String.join(" and ", withArchive.stream().map(jvm -> jvm.name).toList()));
        } else {
            out.printf(Locale.ROOT, "%s: class data archive %s NOT in use by %s: that JVM ignored it (another JVM build "
                    + "wrote it, or a jar changed since: package the services with the JVM that runs them, -Dbench.java), "
                    + "so its launch -> ready is slower than the image's%n", config, archive, String.join(" and ", without));
        }
    }

    private void stopQuietly(ServiceProcess process) {
        try {
            process.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Refuses to run when a port it needs is taken; returns the ports in the order of {@link #PORT_OWNERS}. */
    private int[] ports() {
        if (options.ports().equals("free")) {
            return LocalPorts.free(DEFAULT_PORTS.length);
        }
        int[] ports = options.ports().equals("default") ? DEFAULT_PORTS.clone()
                : java.util.Arrays.stream(options.ports().split(",")).mapToInt(Integer::parseInt).toArray();
        String[] owners = PORT_OWNERS;
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

    private void header(Map<String, List<String>> imageFlags, Deployments.Container latte, Deployments.Container mocha,
            int[] ports) {
        out.println("== cafe-stack bench " + Instant.now());
        out.println("machine: " + Machine.describe());
        out.println("java: " + Machine.javaVersion(options.java()) + " (" + options.java() + ")");
        if (!options.obsOnJava().isEmpty()) {
            out.println("obs-on java (an ablation of the JVM): " + Machine.javaVersion(options.obsOnJava()) + " ("
                    + options.obsOnJava() + ")");
        }
        imageFlags.forEach((service, flags) -> out.printf(Locale.ROOT,
                "%s: image JVM flags (services/%s/pom.xml with the root pom's Jib entrypoint): %s%n", service, service,
                String.join(" ", flags)));
        imageEnv.forEach((service, env) -> out.printf(Locale.ROOT, "%s: image environment (Jib container): %s%n",
                service, env));
        for (Deployments.Container c : List.of(mocha, latte)) {
            out.printf(Locale.ROOT, "%s: environment '%s' Deployment limits cpu %s memory %s -> %s%n", c.service(),
                    options.env(), c.cpuLimit(), c.memoryLimit(), String.join(" ", containerFlags(c)));
        }
        out.printf(Locale.ROOT, "load: wrk -t%d -c%d, POST /api/orders; warm-up at most %d x %ds; %s%d run(s) of %ds per config, "
                        + "the configurations' runs alternating; ports obs-off mocha %d, latte %d/%d; obs-on mocha %d, latte %d/%d; "
                        + "OTLP sink gRPC %d (the services' exporter), HTTP %d; output %s%n", options.threads(), options.connections(),
                options.warmupWindows(), options.warmupWindow().toSeconds(),
                rounds() > 1 ? rounds() + " rounds, each a new launch of every JVM, its warm-up and " : "",
                options.runs(), options.duration().toSeconds(),
                ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7], options.out());
        if (!options.obsOnEnv().isEmpty()) {
            out.printf(Locale.ROOT, "obs-on also with: %s (an ablation, not the prod configuration)%n", options.obsOnEnv());
        }
        if (!options.obsOffEnv().isEmpty()) {
            out.printf(Locale.ROOT, "obs-off also with: %s (after its switches: observability may not be off)%n",
                    options.obsOffEnv());
        }
        if (!options.obsOnJvmArgs().isEmpty()) {
            out.printf(Locale.ROOT, "obs-on also with the JVM flags: %s (an ablation, not the image's flags)%n",
                    String.join(" ", options.obsOnJvmArgs()));
        }
    }

    /** The container's limits as the JVM sees them inside it: the heap share applies to the memory limit. */
    private static List<String> containerFlags(Deployments.Container c) {
        return List.of("-XX:MaxRAM=" + c.memoryLimitBytes(), "-XX:ActiveProcessorCount=" + c.cpus());
    }

    private Map<String, String> env(String config, Deployments.Container c, int[] ports) {
        // The image's environment first; the Deployment's env overrides it, as in a pod.
        Map<String, String> env = c.localEnvironment(imageEnv.get(c.service()),
                options.out().resolve(config + "-" + c.service()), c.service() + "-bench");
        env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + ports[3]);
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
            // Switched back on, obs-off is a second obs-on: the run then compares two variants of the prod configuration.
            env.putAll(options.obsOffEnv());
        } else {
            // An ablation: obs-on with one part switched off, to see what that part costs.
            env.putAll(options.obsOnEnv());
        }
        return env;
    }

    private ServiceProcess start(String config, Deployments.Container c, List<String> imageFlags, Map<String, String> env,
            String log) {
        // The image's flags, then extra flags for an investigation (a profiler agent, Native Memory Tracking) and,
        // in obs-on only, an ablation of a JVM flag.
        List<String> flags = options.jvmFlags(config, c.service(), imageFlags, containerFlags(c));
        ServiceProcess process = ServiceProcess.start(c.service(), options.java(config), flags,
                options.root().resolve("services/" + c.service() + "/target/quarkus-app"), env,
                options.out().resolve(log));
        started.add(process);
        return process;
    }

    /** What a warm-up drives: one configuration's orders URL and the JVMs that serve them. */
    record Target(String config, String url, List<ServiceProcess> jvms) {
    }

    /**
     * Warms the targets up, one window each in turn, until each has settled or the configured number of windows is
     * spent. Settled means two windows in a row agree within {@link #SETTLED_PERCENT} (after at least
     * {@link #MIN_WARMUP_WINDOWS}) and, in the last window, each of its JVMs' JIT compilers worked less than
     * {@link #SETTLED_JIT_PERCENT} of it: a rate can stop rising while the compilers are still busy, and the run after it
     * is then measured with the JIT taking CPU. Prints every window's rate and JIT time and the verdict; records the
     * orders each target's warm-up served.
     */
    private void warmUp(Map<String, Wrk> loads, List<Target> targets, Map<String, Long> served) throws InterruptedException {
        long windowMillis = options.warmupWindow().toMillis();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> jit = new LinkedHashMap<>();
        List<Target> unsettled = new ArrayList<>(targets);
        for (Target t : targets) {
            rates.put(t.config(), new ArrayList<>());
            jit.put(t.config(), new LinkedHashMap<>());
            t.jvms().forEach(j -> jit.get(t.config()).put(j.name, new ArrayList<>()));
        }
        for (int i = 0; i < options.warmupWindows() && !unsettled.isEmpty(); i++) {
            for (Target t : List.copyOf(unsettled)) {
                Map<String, Double> jitBefore = new LinkedHashMap<>();
                t.jvms().forEach(j -> jitBefore.put(j.name, Proc.jitSeconds(j.pid())));
                Wrk.Result window = loads.get(t.config()).run(t.url(), options.warmupWindow());
                for (ServiceProcess j : t.jvms()) {
                    double before = jitBefore.get(j.name);
                    double after = Proc.jitSeconds(j.pid());
                    jit.get(t.config()).get(j.name).add(before < 0 || after < 0 ? Double.NaN : (after - before) * 1000);
                }
                served.merge(t.config(), window.requests(), Long::sum);
                rates.get(t.config()).add(window.rate());
                if (settled(rates.get(t.config()), jit.get(t.config()), windowMillis) == null) {
                    unsettled.remove(t);
                }
            }
        }
        for (Target t : targets) {
            List<Double> r = rates.get(t.config());
            String verdict = settled(r, jit.get(t.config()), windowMillis);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s warm-up, orders/s per %ds window (JIT settling): %s",
                    t.config(), options.warmupWindow().toSeconds(),
                    String.join(" -> ", r.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList())));
            jit.get(t.config()).forEach((service, ms) -> line.append("; JIT ms ").append(service).append(' ')
                    .append(String.join(" -> ", ms.stream().map(v -> v.isNaN() ? "?" : String.format(Locale.ROOT, "%.0f", v)).toList())));
            out.println(line + " (" + (verdict == null ? String.format(Locale.ROOT,
                    "settled: last two windows within %.1f%%, JIT below %.0f%% of the window", Math.abs(change(r)), SETTLED_JIT_PERCENT)
                    : verdict) + ")");
        }
    }

    /** Null when the windows so far show a settled JIT; otherwise why not. */
    private String settled(List<Double> rates, Map<String, List<Double>> jitMillis, long windowMillis) {
        if (rates.size() < 2) {
            return "one window: cannot tell whether the JIT has settled";
        }
        double change = change(rates);
        double busiest = 0;
        for (List<Double> ms : jitMillis.values()) {
            double last = ms.get(ms.size() - 1);
            busiest = Double.isNaN(last) ? busiest : Math.max(busiest, last);
        }
        boolean quiet = busiest <= windowMillis * SETTLED_JIT_PERCENT / 100;
        if (rates.size() >= MIN_WARMUP_WINDOWS && Math.abs(change) <= SETTLED_PERCENT && quiet) {
            return null;
        }
        return String.format(Locale.ROOT, "NOT settled after %d windows: last window %+.1f%% on the one before, JIT busy %.0f ms "
                + "of %d; allow more (-Dbench.warmup=...)", rates.size(), change, busiest, windowMillis);
    }

    private static double change(List<Double> rates) {
        double last = rates.get(rates.size() - 1);
        double previous = rates.get(rates.size() - 2);
        return previous == 0 ? Double.NaN : (last - previous) / previous * 100;
    }

    /** One measured run of one configuration: wrk's figures, and each JVM's RSS, threads, fds and CPU meanwhile. */
    private void measure(String config, int i, Wrk wrk, String url, List<ServiceProcess> jvms) throws InterruptedException {
        Map<String, Long> cpuBefore = new LinkedHashMap<>();
        jvms.forEach(j -> cpuBefore.put(j.name, Proc.cpuMillis(j.pid())));
        boolean profile = options.profile() && i == 1 && (round == 1 || config.equals("latte-down"));
        Profiler profiler = new Profiler(options.java(config));
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
        Run run = new Run(config, round, i, load, usage);
        runs.add(run);
        out.println(describe(run));
    }

    private void latteDown(Map<String, Wrk> loads, Pair on) throws InterruptedException {
        ServiceProcess mocha = on.mocha();
        String url = on.orders();
        long threadsBefore = Proc.threads(mocha.pid());
        long fdsBefore = Proc.openFds(mocha.pid());
        int exit = stop(on.latte());
        out.printf(Locale.ROOT, "%n== latte-down: obs-on's latte stopped (exit %d); mocha has %d threads, %d open fds%n", exit,
                threadsBefore, fdsBefore);
        out.println("latte-down first order: " + probe(url));
        warmUp(loads, List.of(new Target("latte-down", url, List.of(mocha))), new LinkedHashMap<>());
        for (int i = 1; i <= options.runs(); i++) {
            measure("latte-down", i, loads.get("latte-down"), url, List.of(mocha));
        }
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
                "%-10s %srun %d/%d: %,9.0f orders/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %7.2f ms  max %7.2f ms  non-2xx %,d  socket errors %d",
                run.config, rounds() > 1 && !run.config.equals("latte-down") ? "round " + run.round + " " : "",
                run.index, options.runs(), run.load.rate(), run.load.p50() / 1e3, run.load.p99() / 1e3,
                run.load.p999() / 1e3, run.load.max() / 1e3, run.load.non2xx(), run.load.socketErrors()));
        run.usage.forEach((service, u) -> line.append(String.format(Locale.ROOT,
                "  | %s RSS %.0f/%.0f MiB (median/max), %.1f CPU-ms per 1k orders, %d threads",
                service, u.rssMedianMiB(), u.rssMaxMiB(), u.cpuMsPer1k(), u.threadsMax())));
        return line.toString();
    }

    private void summary() {
        out.printf(Locale.ROOT, "%n== medians of %d run(s) per config%s (%s; load after: %s)%n", options.runs() * rounds(),
                rounds() > 1 ? String.format(Locale.ROOT, ", %d rounds of %d%s", rounds(), options.runs(),
                        options.configs().contains("latte-down")
                                ? String.format(Locale.ROOT, " (latte-down's %d in the last round)", options.runs()) : "") : "",
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
                    cpu(of, "latte"), launch.median("mocha") + "/" + launch.median("latte"));
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
                machine.append(" ready_").append(service).append("_ms=").append(launch.median(service))
                        .append(" ready_").append(service).append("_ms_min=").append(launch.min(service))
                        .append(" ready_").append(service).append("_ms_max=").append(launch.max(service));
            }
            out.println(machine);
        }
        List<Run> off = runs.stream().filter(r -> r.config.equals("obs-off")).toList();
        List<Run> on = runs.stream().filter(r -> r.config.equals("obs-on")).toList();
        List<Run> down = runs.stream().filter(r -> r.config.equals("latte-down")).toList();
        if (!off.isEmpty() && !on.isEmpty()) {
            boolean targets = options.obsOffEnv().isEmpty(); // else obs-off is not observability off: no target applies
            out.printf(Locale.ROOT, "obs-on / obs-off: orders/s %.2fx" + (targets ? " (target >= 0.90x)" : "") + ", p99 %.2fx"
                            + (targets ? " (target <= 1.20x)" : " (obs-off with --obs-off-env: the targets do not apply)") + "; "
                            + "run by run (each obs-on run against the obs-off run just before it): orders/s %s, p99 %s%n",
                    median(on, r -> r.load.rate()) / median(off, r -> r.load.rate()),
                    median(on, r -> r.load.p99()) / median(off, r -> r.load.p99()),
                    paired(off, on, r -> r.load.rate()), paired(off, on, r -> r.load.p99()));
            if (rounds() > 1) {
                out.printf(Locale.ROOT, "obs-on / obs-off round by round (each round's medians; a round is one launch of "
                        + "each side): orders/s %s, p99 %s%n", byRound(off, on, r -> r.load.rate()),
                        byRound(off, on, r -> r.load.p99()));
            }
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

    /** The ratios on/off of runs in the same place of their lists (taken one after the other), and their median. */
    static String paired(List<Run> off, List<Run> on, ToDoubleFunction<Run> figure) {
        int n = Math.min(off.size(), on.size());
        double[] ratios = new double[n];
        List<String> each = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ratios[i] = figure.applyAsDouble(on.get(i)) / figure.applyAsDouble(off.get(i));
            each.add(String.format(Locale.ROOT, "%.2f", ratios[i]));
        }
        return String.format(Locale.ROOT, "%s (median %.2fx)", String.join(" ", each), Stats.median(ratios));
    }

    /** The ratios on/off of each round's medians, and their median. */
    static String byRound(List<Run> off, List<Run> on, ToDoubleFunction<Run> figure) {
        List<Integer> rounds = off.stream().map(Run::round).distinct().filter(r -> on.stream().anyMatch(o -> o.round == r))
                .sorted().toList();
        double[] ratios = new double[rounds.size()];
        List<String> each = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            int round = rounds.get(i);
            ratios[i] = median(on.stream().filter(r -> r.round == round).toList(), figure)
                    / median(off.stream().filter(r -> r.round == round).toList(), figure);
            each.add(String.format(Locale.ROOT, "%.2f", ratios[i]));
        }
        return String.format(Locale.ROOT, "%s (median %.2fx)", String.join(" ", each), Stats.median(ratios));
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
