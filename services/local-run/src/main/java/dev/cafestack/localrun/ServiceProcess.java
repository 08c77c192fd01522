package dev.cafestack.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One service JVM started from its quarkus-app: it knows its launch time, waits for readiness, and stops itself. */
public final class ServiceProcess implements AutoCloseable {

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

    /**
     * Polls the readiness URL ({@code http://host:port/path}) every 10 ms until it answers 200; returns milliseconds
     * from launch to ready. Each poll is one {@link #probe}: the JDK's HttpClient, polled every 5 ms, took this JVM
     * 440-680 CPU-ms during each 1.1-1.6 s start of mocha (a refused connection costs it a round of its asynchronous
     * machinery, which its JIT then compiles), taken from the two cores the starting JVM needs, so the figure it gave
     * was the start of a JVM that shared its cores.
     */
    public long awaitReady(String url, Duration timeout) throws InterruptedException {
        URI readiness = readinessUri(url);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; "
                        + "its output: " + log + "\n" + tail());
            }
            if (probe(readiness, Duration.ofSeconds(1)) == 200) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedNanos);
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException(name + " was not ready at " + url + " within " + timeout + "; its output: " + log
                + "\n" + tail());
    }

    /** The readiness URL as {@link #probe} takes it: {@code http://<host>:<port>/<path>}, or a clear refusal. */
    static URI readinessUri(String url) {
        URI readiness = URI.create(url);
        if (!"http".equals(readiness.getScheme()) || readiness.getHost() == null || readiness.getPort() < 0) {
            throw new IllegalArgumentException("a readiness URL is http://<host>:<port>/<path>, got: " + url);
        }
        return readiness;
    }

    /**
     * One HTTP probe, as a kubelet's {@code httpGet} probe makes it: a connection of its own, one {@code GET} with
     * {@code Connection: close}, and the status line of the answer; no client library, so that a refused connection
     * costs a system call and an exception, not a client's threads. Returns the status code, or -1 if nothing answers
     * yet (refused, reset, timed out, or an answer that is not HTTP).
     */
    static int probe(URI url, Duration timeout) {
        String path = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a probe's timeout is 1 ms to 24 days (0 would wait forever), got: " + timeout);
        }
        int millis = (int) timeout.toMillis();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), millis);
            socket.setSoTimeout(millis);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // The status line, "HTTP/1.1 200 OK": its first 12 bytes hold the code.
            byte[] head = socket.getInputStream().readNBytes(12);
            String status = new String(head, StandardCharsets.US_ASCII);
            return status.matches("HTTP/1\\.[01] \\d{3}") ? Integer.parseInt(status.substring(9)) : -1;
        } catch (IOException notYet) {
            return -1;
        }
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
