package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.fail;

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
 * <p>Cluster access is pinned to an {@link ApiServerStandIn}: {@code -Dkubernetes.master} points at it, kubeconfig and
 * in-cluster service-account lookups are off, {@code KUBECONFIG} names a file in a throwaway directory that is never
 * written, and inherited {@code KUBERNETES_*} variables are dropped. A developer's kubeconfig, and the cluster it
 * points at, are never read. Every run is offline ({@code -o}), batch and quiet (errors only), uses the local
 * repository of the build that runs the test, and is killed (failing the test) if it outlives {@link #TIMEOUT}.
 * {@code MAVEN_OPTS} gets JVM options for a short-lived process (C1 only, serial GC) appended.
 */
final class NestedMaven {

    static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    record Result(List<String> command, int exitCode, String output, Duration took) {

        /** The output without ANSI escapes, for assertions and messages. */
        String plainOutput() {
            return output.replaceAll("\u001B\\[[0-9;]*m", "");
        }

        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + " after " + took.toMillis() + " ms, output:\n"
                    + plainOutput();
        }
    }

    private NestedMaven() {
    }

    /** The repository root (root pom's {@code cafe.root}). */
    static Path root() {
        return Path.of(required("cafe.root"));
    }

    /**
     * Runs {@code mvn -o -B -q <arguments>} in {@code workDir} against {@code apiServer}; {@code logName} names the
     * captured output file under target/nested-maven/.
     */
    static Result run(Path workDir, ApiServerStandIn apiServer, String logName, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(required("maven.home"), "bin", "mvn").toString(),
                "-o", "-B", "-q", "-Dstyle.color=never",
                "-Dmaven.repo.local=" + required("cafe.local.repository"),
                "-Dkubernetes.master=" + apiServer.url(),
                "-Dkubernetes.auth.tryKubeConfig=false",
                "-Dkubernetes.auth.tryServiceAccount=false"));
        command.addAll(List.of(arguments));
        return start(workDir, command, logName);
    }

    /** Runs {@code mvn -B -q <arguments>} in {@code workDir} without any cluster in reach (online allowed). */
    static Result runWithoutCluster(Path workDir, String logName, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(required("maven.home"), "bin", "mvn").toString(),
                "-B", "-q", "-Dstyle.color=never",
                "-Dmaven.repo.local=" + required("cafe.local.repository")));
        command.addAll(List.of(arguments));
        return start(workDir, command, logName);
    }

    private static Result start(Path workDir, List<String> command, String logName) {
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
                fail("Nested Maven did not finish within " + TIMEOUT + " and was killed: " + result.describe());
            }
            return result;
        } catch (IOException e) {
            throw new AssertionError("Could not run nested Maven " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running nested Maven " + command, e);
        }
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property
                    + " is not set: run this test through Maven (failsafe passes it, see tests/stack/pom.xml)");
        }
        return value;
    }
}
