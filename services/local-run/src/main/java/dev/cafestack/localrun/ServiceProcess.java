package dev.cafestack.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One service JVM started from its quarkus-app: it knows its launch time, waits for readiness, and stops itself. */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    public final String name;
    public final Path log;
    private final List<String> jvmFlags;
    private final Process process;
    private final long launchedNanos;

    private ServiceProcess(String name, Path log, List<String> jvmFlags, Process process, long launchedNanos) {
        this.name = name;
        this.log = log;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.process = process;
        this.launchedNanos = launchedNanos;
    }

    /** Starts {@code java <flags> -jar quarkus-run.jar} in the quarkus-app directory, as the image does in /deployments. */
    public static ServiceProcess start(String name, String java, List<String> jvmFlags, Path appDir, Map<String, String> env,
            Path log) {
        Path jar = appDir.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the service first (./mvnw -o -pl services/" + name
                    + " -am package -DskipTests)");
        }
        List<String> command = new java.util.ArrayList<>();
        command.add(java);
        command.addAll(jvmFlags);
        command.add("-jar");
        // Relative, as the image's entrypoint names it: a class data archive records the class path it was written
        // with, and a JVM given another spelling of it (an absolute path) rejects the archive.
        command.add(jar.getFileName().toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(appDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("QUARKUS_") || key.equals("JAVA_TOOL_OPTIONS")
                || key.equals("JDK_JAVA_OPTIONS"));
        builder.environment().putAll(env);
        try {
            long launched = System.nanoTime();
            return new ServiceProcess(name, log, jvmFlags, builder.start(), launched);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /**
     * The file name of the class data archive this JVM was started with (its last -XX:SharedArchiveFile, or JDK 24+'s
     * -XX:AOTCache), if any.
     */
    public Optional<String> classDataArchive() {
        return classDataArchive(jvmFlags);
    }

    /** The file name of the class data archive JVM flags name (the last -XX:SharedArchiveFile or -XX:AOTCache), if any. */
    public static Optional<String> classDataArchive(List<String> jvmFlags) {
        return jvmFlags.stream().filter(flag -> flag.startsWith("-XX:SharedArchiveFile=") || flag.startsWith("-XX:AOTCache="))
                .map(flag -> Path.of(flag.substring(flag.indexOf('=') + 1)).getFileName().toString())
                .reduce((first, last) -> last);
    }

    /** Whether this JVM has a file named {@code fileName} mapped (its {@code /proc/<pid>/maps}), e.g. a CDS archive. */
    public boolean maps(String fileName) {
        Path maps = Path.of("/proc", Long.toString(pid()), "maps");
        try (java.util.stream.Stream<String> lines = Files.lines(maps)) {
            return lines.anyMatch(line -> line.endsWith("/" + fileName));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + maps + " of " + name, e);
        }
    }

    /** Polls the readiness URL until it answers 200; returns milliseconds from launch to ready. */
    public long awaitReady(String url, Duration timeout) throws InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; "
                        + "its output: " + log + "\n" + tail());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedNanos);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(name + " was not ready at " + url + " within " + timeout + "; its output: " + log
                + "\n" + tail());
    }

    /** SIGTERM, then SIGKILL if it has not exited in time; returns the exit code. */
    public int stop() throws InterruptedException {
        return stop(Duration.ofSeconds(30));
    }

    /**
     * SIGTERM, and SIGKILL if it has not exited within {@code grace} (a JVM writing an AOT cache on its way out takes
     * longer than one shutting down); returns the exit code.
     */
    public int stop(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
