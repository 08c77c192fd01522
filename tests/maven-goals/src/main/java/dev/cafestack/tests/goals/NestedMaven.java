package dev.cafestack.tests.goals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code mvn} (the one running this build: {@code maven.home}) as a separate process, the way a person
 * or Jenkins would, and captures its output.
 *
 * <p>Every run is batch, uses the local repository of the build that runs the test, and is killed (failing the test)
 * if it outlives {@link #TIMEOUT}. No cluster is in reach: {@code KUBECONFIG} names a file in a throwaway directory that
 * is never written, and inherited {@code KUBERNETES_*} variables are dropped, so a developer's kubeconfig, and the
 * cluster it points at, are never read. A run {@linkplain #against against} an {@link ApiServerStandIn} reaches that
 * one: {@code -Dkubernetes.master} points at it, kubeconfig and in-cluster service-account lookups are off.
 * {@code MAVEN_OPTS} gets JVM options for a short-lived process (C1 only, serial GC) appended.
 *
 * <pre>{@code
 * NestedMaven.Result result = NestedMaven.in(NestedMaven.root()).offline().quiet().against(apiServer)
 *         .run("k8s-apply-dev", "-P", "dev", "k8s:apply");
 * }</pre>
 */
public final class NestedMaven {

    public static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    /** What a run was, did and printed. */
    public record Result(List<String> command, int exitCode, String output, Duration took) {

        /** The output without ANSI escapes, for assertions and messages. */
        public String plainOutput() {
            return output.replaceAll("\u001B\\[[0-9;]*m", "");
        }

        public String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + " after " + took.toMillis() + " ms, output:\n"
                    + plainOutput();
        }
    }

    private final Path workDir;
    private boolean offline;
    private boolean quiet;
    private ApiServerStandIn apiServer;

    private NestedMaven(Path workDir) {
        this.workDir = workDir;
    }

    /** A run in {@code workDir}: online, at Maven's usual log level, with no cluster in reach, until told otherwise. */
    public static NestedMaven in(Path workDir) {
        return new NestedMaven(workDir);
    }

    /** {@code -o}: everything from the local repository. */
    public NestedMaven offline() {
        offline = true;
        return this;
    }

    /** {@code -q}: errors only, and what plugins print themselves. */
    public NestedMaven quiet() {
        quiet = true;
        return this;
    }

    /** Cluster access pinned to {@code apiServer}. */
    public NestedMaven against(ApiServerStandIn apiServer) {
        this.apiServer = apiServer;
        return this;
    }

    /** Runs {@code mvn <arguments>}; {@code logName} names the captured output file under target/nested-maven/. */
    public Result run(String logName, List<String> arguments) {
        return run(logName, arguments.toArray(String[]::new));
    }

    /** Runs {@code mvn <arguments>}; {@code logName} names the captured output file under target/nested-maven/. */
    public Result run(String logName, String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(required("maven.home"), "bin", "mvn").toString()));
        if (offline) {
            command.add("-o");
        }
        command.add("-B");
        if (quiet) {
            command.add("-q");
        }
        command.addAll(List.of("-Dstyle.color=never", "-Dmaven.repo.local=" + localRepository()));
        if (apiServer != null) {
            command.addAll(List.of("-Dkubernetes.master=" + apiServer.url(), "-Dkubernetes.auth.tryKubeConfig=false",
                    "-Dkubernetes.auth.tryServiceAccount=false"));
        }
        command.addAll(List.of(arguments));
        return start(command, logName);
    }

    private Result start(List<String> command, String logName) {
        try {
            Path logDir = Files.createDirectories(Path.of("target", "nested-maven"));
            Path log = logDir.resolve(logName + ".log");
            Path kubeHome = Files.createTempDirectory(logDir, "kube-");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> name.startsWith("KUBERNETES_") || name.equals("KUBECONFIG"));
            env.put("KUBECONFIG", kubeHome.resolve("config-never-written").toString());
            // A short-lived Maven JVM starts and finishes up to twice as fast with these (2 shared cores).
            env.merge("MAVEN_OPTS", JVM_OPTIONS, (inherited, ours) -> inherited + " " + ours);

            long started = System.nanoTime();
            Process process = builder.start();
            boolean finished = process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Result result = new Result(command, finished ? process.exitValue() : -1, output, took);
            if (!finished) {
                throw new AssertionError("Nested Maven did not finish within " + TIMEOUT + " and was killed: "
                        + result.describe());
            }
            return result;
        } catch (IOException e) {
            throw new AssertionError("Could not run nested Maven " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running nested Maven " + command, e);
        }
    }

    /** The repository root (the root pom's {@code cafe.root}). */
    public static Path root() {
        return Path.of(required("cafe.root"));
    }

    /** The local repository of the build that runs the test. */
    public static Path localRepository() {
        return Path.of(required("cafe.local.repository"));
    }

    /**
     * A system property the build passes to the tests ({@code maven.home} and {@code cafe.root}: the root pom's test
     * configuration; {@code cafe.local.repository} and {@code cafe.version}: the module's); a clear error without it.
     */
    public static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set: run this test through Maven "
                    + "(failsafe passes it: see the root pom and tests/stack/pom.xml)");
        }
        return value;
    }
}
