package dev.cafestack.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.cafestack.localrun.ImageJvm;

/** What one benchmark run does: parsed from {@code --name=value} arguments (see README.md). */
record Options(Path root, String env, List<String> configs, int runs, int rounds, int launches, Duration idleWait,
        Duration duration, int warmupWindows, Duration warmupWindow, int threads, int connections, String ports, Path out,
        String java, boolean profile, List<String> jvmArgs, Map<String, String> obsOnEnv, List<String> obsOnJvmArgs,
        String obsOnJava, String loadSampling, Map<String, String> obsOffEnv, String obsOffLoadSampling) {

    static final List<String> CONFIGS = List.of("obs-off", "obs-on", "latte-down");

    /**
     * JVM flags that choose the class data archive (or none): one of them among the extra flags replaces the image's
     * {@code -XX:SharedArchiveFile}, which JDK 24+ refuses next to an AOT cache flag.
     */
    static final List<String> CLASS_DATA_FLAGS = List.of("-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit=",
            "-XX:AOTCache=", "-XX:AOTCacheOutput=", "-XX:AOTConfiguration=", "-XX:AOTMode=", "-Xshare:");

    /** JVM flags that write a class data archive when the JVM exits: such a JVM is launched once. */
    static final List<String> CLASS_DATA_AT_EXIT_FLAGS = List.of("-XX:AOTCacheOutput=", "-XX:ArchiveClassesAtExit=",
            "-XX:AOTMode=record", "-XX:+AutoCreateSharedArchive");

    static Options parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got: " + arg);
            }
            given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        Path root = Path.of(take(given, "root", ".")).toAbsolutePath().normalize();
        List<String> configs = new ArrayList<>();
        for (String config : take(given, "configs", String.join(",", CONFIGS)).split(",")) {
            if (!CONFIGS.contains(config.trim())) {
                throw new IllegalArgumentException("unknown config '" + config + "'; known: " + CONFIGS);
            }
            configs.add(config.trim());
        }
        String warmup = take(given, "warmup", "24x5s");
        if (!warmup.matches("\\d+x\\d+(ms|s)")) {
            throw new IllegalArgumentException("--warmup is <windows>x<window>, e.g. 6x5s; got: " + warmup);
        }
        String ports = take(given, "ports", "default");
        if (!ports.matches("default|free|\\d+(,\\d+){7}")) {
            throw new IllegalArgumentException("--ports is default, free, or eight ports: <mocha http>,<latte grpc>,<latte http> "
                    + "of obs-off, the same of obs-on, <otlp grpc>,<otlp http>; got: " + ports);
        }
        int launches = Integer.parseInt(take(given, "launches", "5"));
        if (launches < 1) {
            throw new IllegalArgumentException("--launches is how many times each service is launched to time its start, "
                    + "at least 1; got: " + launches);
        }
        int rounds = Integer.parseInt(take(given, "rounds", "3"));
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds is how many times both configurations are launched, warmed up and "
                    + "measured (--runs runs each time), at least 1; got: " + rounds);
        }
        Options options = new Options(root, take(given, "env", "prod"), List.copyOf(configs),
                Integer.parseInt(take(given, "runs", "6")), rounds, launches, idleWait(take(given, "idle-wait", "10s")),
                duration(take(given, "duration", "10s")),
                Integer.parseInt(warmup.substring(0, warmup.indexOf('x'))), duration(warmup.substring(warmup.indexOf('x') + 1)),
                Integer.parseInt(take(given, "threads", "2")), Integer.parseInt(take(given, "connections", "64")),
                ports, Path.of(take(given, "out", root.resolve("bench/target/bench").toString())),
                java(root, take(given, "java", "")),
                Boolean.parseBoolean(take(given, "profile", "false")),
                flags(take(given, "jvm-args", "")), assignments("obs-on-env", take(given, "obs-on-env", "")),
                flags(take(given, "obs-on-jvm-args", "")), obsOnJava(take(given, "obs-on-java", "")),
                loadSampling("load-sampling", take(given, "load-sampling", "")),
                assignments("obs-off-env", take(given, "obs-off-env", "")),
                loadSampling("obs-off-load-sampling", take(given, "obs-off-load-sampling", "")));
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + given.keySet());
        }
        List<String> writesAtExit = Stream.concat(options.jvmArgs.stream(), options.obsOnJvmArgs.stream())
                .filter(flag -> CLASS_DATA_AT_EXIT_FLAGS.stream().anyMatch(flag::startsWith))
                .toList();
        if (!writesAtExit.isEmpty() && (options.launches > 1 || options.rounds > 1)) {
            throw new IllegalArgumentException(writesAtExit + " writes a class data archive when its JVM exits, and "
                    + (options.launches > 1 ? "each of the " + options.launches + " launches but the last is stopped once "
                            + "ready" : "each round's JVMs are stopped before the next round's")
                    + ": run such a JVM once, with --launches=1 --rounds=1 (-Dbench.launches=1 -Dbench.rounds=1)");
        }
        if (!options.obsOffLoadSampling.isEmpty() && !options.configs.contains("obs-off")) {
            throw new IllegalArgumentException("--obs-off-load-sampling=" + options.obsOffLoadSampling + " is obs-off's share "
                    + "of sampled orders, but --configs=" + String.join(",", options.configs) + " runs no obs-off");
        }
        if (!options.obsOffLoadSampling.isEmpty() && !"false".equalsIgnoreCase(options.obsOffEnv.get("QUARKUS_OTEL_SDK_DISABLED"))) {
            throw new IllegalArgumentException("--obs-off-load-sampling=" + options.obsOffLoadSampling + " marks a share of "
                    + "obs-off's orders sampled, but obs-off traces nothing: switch its tracing back on with "
                    + "--obs-off-env=QUARKUS_OTEL_SDK_DISABLED=false,... (bench/README.md)");
        }
        if (options.duration.toSeconds() < 1 || options.warmupWindow.toSeconds() < 1) {
            throw new IllegalArgumentException("wrk measures whole seconds: --duration and the warm-up window must be >= 1s");
        }
        return options;
    }

    /**
     * The {@code java} that runs the services: the one given, or else the JVM that wrote their class data archives (the
     * images' own when the build had their base as a file, see local-run's ImageJvm), so that the benchmark runs what
     * the images run, with the archives the images hold.
     */
    static String java(Path root, String given) {
        if (!given.isBlank()) {
            return given;
        }
        Path mocha = ImageJvm.recorded(root.resolve("services/mocha/target"));
        Path latte = ImageJvm.recorded(root.resolve("services/latte/target"));
        if (!mocha.equals(latte)) {
            throw new IllegalArgumentException("mocha's archive was written by " + mocha + " and latte's by " + latte
                    + " (services/*/target/" + ImageJvm.RECORD + "): package both with the same cafe.image.base, or name "
                    + "the JVM with -Dbench.java");
        }
        return mocha.toString();
    }

    /**
     * The share of orders whose traceparent says "sampled", given as {@code --<option>}: empty for the default (for
     * {@code --load-sampling} the environment's, mocha's rendered CAFE_TRACE_SAMPLING, for both configurations; for
     * {@code --obs-off-load-sampling} that share), else a ratio from 0 to 1.
     */
    static String loadSampling(String option, String given) {
        String value = given.trim();
        if (value.isEmpty()) {
            return value;
        }
        double ratio = value.matches("\\d*\\.?\\d+") ? Double.parseDouble(value) : Double.NaN;
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("--" + option + " (-Dbench." + option + ") is the share of orders the load "
                    + "marks sampled, a ratio from 0 to 1 (e.g. 0 for none), or empty for "
                    + ("load-sampling".equals(option) ? "the environment's CAFE_TRACE_SAMPLING" : "--load-sampling's")
                    + "; got: " + given);
        }
        return value;
    }

    /** obs-on's own {@code java}, if one is named: it must be there to run. */
    static String obsOnJava(String given) {
        if (!given.isBlank() && !Files.isExecutable(Path.of(given))) {
            throw new IllegalArgumentException("--obs-on-java (-Dbench.obs-on-java) names " + given
                    + ", which is not an executable file: name a JDK's bin/java, or leave it empty for the services' JVM");
        }
        return given.trim();
    }

    /**
     * The {@code java} that runs a configuration's services: obs-on (and latte-down, which is obs-on) may run another
     * JVM than obs-off, an ablation of the JVM side by side (with {@code obs-on-env} switching observability off in
     * obs-on too, the two configurations then differ by the JVM alone).
     */
    String java(String config) {
        return config.equals("obs-off") || obsOnJava.isEmpty() ? java : obsOnJava;
    }

    /**
     * A configuration's JVM flags: the image's, the container's, then the extra flags for all configurations and, but
     * for obs-off, obs-on's ({@code {config}} and {@code {service}} replaced). An extra flag that chooses the class data
     * archive ({@link #CLASS_DATA_FLAGS}) replaces the image's {@code -XX:SharedArchiveFile}: e.g. another JVM's archive
     * or AOT cache, or {@code -Xshare:off}.
     */
    List<String> jvmFlags(String config, String service, List<String> imageFlags, List<String> containerFlags) {
        List<String> extra = new ArrayList<>();
        jvmArgs.forEach(a -> extra.add(expand(a, config, service)));
        if (!config.equals("obs-off")) {
            obsOnJvmArgs.forEach(a -> extra.add(expand(a, config, service)));
        }
        List<String> flags = new ArrayList<>(imageFlags);
        if (extra.stream().anyMatch(Options::choosesClassData)) {
            flags.removeIf(f -> f.startsWith("-XX:SharedArchiveFile="));
        }
        flags.addAll(containerFlags);
        flags.addAll(extra);
        return flags;
    }

    private static boolean choosesClassData(String flag) {
        return CLASS_DATA_FLAGS.stream().anyMatch(flag::startsWith);
    }

    private static String expand(String flag, String config, String service) {
        return flag.replace("{config}", config).replace("{service}", service);
    }

    /** JVM flags separated by white space. */
    static List<String> flags(String text) {
        return List.of(text.trim().split("\\s+")).stream().filter(a -> !a.isEmpty()).toList();
    }

    /** {@code NAME=VALUE,NAME=VALUE}: environment variables, names as a shell spells them. */
    static Map<String, String> assignments(String option, String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).trim();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("--" + option + " is NAME=VALUE,...; got: " + pair.trim());
            }
            env.put(name, pair.substring(eq + 1).trim());
        }
        return Map.copyOf(env);
    }

    private static String take(Map<String, String> given, String name, String fallback) {
        String value = given.remove(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The longest wait for idle CPUs before each launch: 0 for none, else at least two of IdleCpus' windows. */
    static Duration idleWait(String text) {
        if (text.matches("0(ms|s)?")) {
            return Duration.ZERO;
        }
        if (!text.matches("\\d+(ms|s)") || duration(text).compareTo(IdleCpus.SHORTEST) < 0) {
            throw new IllegalArgumentException("--idle-wait is the longest wait for idle CPUs before each launch, at least "
                    + IdleCpus.SHORTEST.toMillis() + "ms (e.g. 10s), or 0 for none; got: " + text);
        }
        return duration(text);
    }

    static Duration duration(String text) {
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        if (text.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        throw new IllegalArgumentException("a duration is <n>s or <n>ms, got: " + text);
    }
}
