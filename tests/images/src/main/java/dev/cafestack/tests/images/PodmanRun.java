package dev.cafestack.tests.images;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs an image tarball with podman (when this machine has it) the way a Deployment's (or StatefulSet's) pod would run
 * it: the container's env values, its ConfigMap and emptyDir volumes, its Secret volumes with stand-in files (Secrets
 * are made outside the build, so the check supplies their files), a fresh empty volume for each of a StatefulSet's
 * volume claims, its user and group, a read-only root file system, no capabilities, no privilege escalation. Ports are
 * published on 127.0.0.1 only, on ports podman picks.
 *
 * <p>The stand-in base has no JRE: the one that wrote the image's class data archive (the build's, or the base's own
 * as the build extracted it; with the files its absolute symlinks point at) is mounted read-only at
 * {@code /opt/java/openjdk}, where the Temurin base keeps it, and {@code /usr} (the C library it links) read-only at
 * {@code /usr}.
 */
public final class PodmanRun implements AutoCloseable {

    public record Answer(int status, String body) {
    }

    private final String container;
    private final String imageId;
    private final Map<String, Integer> hostPorts;
    private final Path log;

    private PodmanRun(String container, String imageId, Map<String, Integer> hostPorts, Path log) {
        this.container = container;
        this.imageId = imageId;
        this.hostPorts = hostPorts;
        this.log = log;
    }

    /** {@code podman --version}, or empty when podman is not installed or does not answer. */
    public static Optional<String> version() {
        try {
            Result r = podman(Duration.ofSeconds(30), "--version");
            return r.exitCode() == 0 ? Optional.of(r.output().trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Loads {@code tarball} (its image id is in {@code imageIdFile}, as jib writes it) and starts the workload's first
     * container from it, detached. {@code standInSecrets}: for each Secret a volume mounts, its files (name to content).
     * {@code java}: the JVM the container runs (the stand-in base has none), mounted at {@code /opt/java/openjdk}.
     */
    public static PodmanRun start(Path tarball, Path imageIdFile, JsonNode deployment, RenderedDeployments env,
            Map<String, Map<String, String>> standInSecrets, Path java, Path work) throws IOException {
        Files.createDirectories(work);
        String imageId = Files.readString(imageIdFile).trim().replaceFirst("^sha256:", "");
        Result load = podman(Duration.ofMinutes(2), "load", "-q", "-i", tarball.toString());
        if (load.exitCode() != 0) {
            throw new AssertionError("podman load -i " + tarball + " failed:\n" + load.output());
        }
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode spec = pod.at("/containers/0");
        String name = "cafe-image-it-" + spec.path("name").asText() + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        JsonNode security = spec.path("securityContext");
        JsonNode podSecurity = pod.path("securityContext");
        args.add("--user=" + field(security, podSecurity, "runAsUser") + ":" + field(security, podSecurity, "runAsGroup"));
        if (security.path("readOnlyRootFilesystem").asBoolean()) {
            args.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        }
        security.at("/capabilities/drop").forEach(c -> args.add("--cap-drop=" + c.asText()));
        if (security.has("allowPrivilegeEscalation") && !security.path("allowPrivilegeEscalation").asBoolean()) {
            args.add("--security-opt=no-new-privileges");
        }
        spec.path("env").forEach(e -> {
            if (e.has("value")) {
                args.add("--env=" + e.path("name").asText() + "=" + e.path("value").asText());
            }
        });
        Map<String, JsonNode> volumes = new LinkedHashMap<>();
        pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        Set<String> claims = new TreeSet<>();
        deployment.at("/spec/volumeClaimTemplates").forEach(c -> claims.add(c.at("/metadata/name").asText()));
        for (JsonNode mount : spec.path("volumeMounts")) {
            String volumeName = mount.path("name").asText();
            String path = mount.path("mountPath").asText();
            JsonNode volume = volumes.get(volumeName);
            if (volume == null && !claims.contains(volumeName)) {
                throw new AssertionError("volume mount " + mount + " names no volume and no volume claim");
            }
            if (volume == null || volume.has("emptyDir")) {
                // An emptyDir, or a StatefulSet's volume claim: a new pod gets a fresh, empty volume that it may write.
                args.add("--tmpfs=" + path + ":rw,mode=1777");
            } else if (volume.has("secret")) {
                String secret = volume.at("/secret/secretName").asText();
                Map<String, String> files = standInSecrets.get(secret);
                if (files == null) {
                    throw new AssertionError("the Secret " + secret + " mounted at " + path + " has no stand-in files: "
                            + "the service's image check supplies them (ServiceImageContract.standInSecrets())");
                }
                args.add(filesVolume(work.resolve("secrets").resolve(volumeName), files, path));
            } else if (volume.has("configMap")) {
                Map<String, String> files = new LinkedHashMap<>();
                env.configMap(volume.at("/configMap/name").asText()).path("data").fields()
                        .forEachRemaining(file -> files.put(file.getKey(), file.getValue().asText()));
                args.add(filesVolume(work.resolve("volumes").resolve(volumeName), files, path));
            } else {
                throw new AssertionError("volume kind not run by the image checks: " + volume);
            }
        }
        List<String> portNames = new ArrayList<>();
        spec.path("ports").forEach(p -> {
            args.add("--publish=127.0.0.1::" + p.path("containerPort").asInt());
            portNames.add(p.path("name").asText() + "=" + p.path("containerPort").asInt());
        });
        // The stand-in base has no JVM: the container runs the one that wrote the image's class data archive (the
        // base's own when the build had one to extract, else the build's), mounted where Temurin keeps its JVM.
        Path javaHome = java.toRealPath().getParent().getParent();
        args.add("--volume=" + javaHome + ":/opt/java/openjdk:ro");
        for (Path dir : absoluteSymlinkTargets(javaHome)) {
            args.add("--volume=" + dir + ":" + dir + ":ro");
        }
        args.add("--volume=/usr:/usr:ro");
        args.add(imageId);
        Result run = podman(Duration.ofMinutes(1), args.toArray(String[]::new));
        if (run.exitCode() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " failed:\n" + run.output());
        }
        Map<String, Integer> hostPorts = new LinkedHashMap<>();
        for (String port : portNames) {
            String[] nameAndPort = port.split("=");
            Result mapped = podman(Duration.ofSeconds(30), "port", name, nameAndPort[1] + "/tcp");
            String hostPort = mapped.output().trim().replaceFirst("^.*:", "");
            hostPorts.put(nameAndPort[0], Integer.parseInt(hostPort.lines().findFirst().orElse("-1").trim()));
        }
        return new PodmanRun(name, imageId, hostPorts, work.resolve(name + ".log"));
    }

    /**
     * Asks {@code path} on the container's port named {@code portName} until it answers {@code status}, or
     * {@code timeout} passes; returns the last answer (status -1: no connection).
     */
    public Answer get(String portName, String path, int status, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI uri = URI.create("http://127.0.0.1:" + hostPorts.get(portName) + path);
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer last = new Answer(-1, "");
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = new Answer(response.statusCode(), response.body());
                if (last.status() == status) {
                    return last;
                }
            } catch (IOException e) {
                last = new Answer(-1, e.toString());
            }
            Thread.sleep(250);
        }
        return last;
    }

    /**
     * The files the container's main process (its entrypoint, PID 1) has mapped, from its {@code /proc/1/maps}, read
     * in the container as its user: a JVM maps the class data archives it uses and unmaps one it refused.
     */
    public Set<String> mappedFiles() throws IOException {
        Result maps = podman(Duration.ofSeconds(30), "exec", container, "cat", "/proc/1/maps");
        if (maps.exitCode() != 0) {
            throw new AssertionError("podman exec " + container + " cat /proc/1/maps failed:\n" + maps.output());
        }
        Set<String> files = new TreeSet<>();
        maps.output().lines().map(line -> line.trim().split("\\s+", 6)).filter(f -> f.length == 6 && f[5].startsWith("/"))
                .forEach(f -> files.add(f[5]));
        return files;
    }

    /** The container's output so far (also written to a file under target/image-it). */
    public String logs() throws IOException {
        String output = podman(Duration.ofSeconds(30), "logs", container).output();
        Files.writeString(log, output);
        return output;
    }

    /** Where {@link #logs} writes the container's output. */
    public Path log() {
        return log;
    }

    /** Removes the container, then this image's names and the image itself unless another container uses it. */
    @Override
    public void close() throws IOException {
        try {
            logs();
        } finally {
            podman(Duration.ofMinutes(1), "rm", "-f", "-t", "2", container);
            podman(Duration.ofMinutes(1), "untag", imageId);
            podman(Duration.ofMinutes(1), "rmi", imageId);
        }
    }

    /** Writes {@code files} (name to content) read-only into {@code dir}; returns podman's option mounting it at {@code path}. */
    private static String filesVolume(Path dir, Map<String, String> files, String path) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.deleteIfExists(target); // read-only from the run before
            Files.writeString(target, file.getValue());
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r--r--"));
        }
        return "--volume=" + dir.toAbsolutePath() + ":" + path + ":ro";
    }

    /** The directories outside the JVM's home that its absolute symlinks point into (Debian's JDK has /etc ones). */
    private static List<Path> absoluteSymlinkTargets(Path javaHome) throws IOException {
        TreeSet<Path> dirs = new TreeSet<>();
        try (Stream<Path> files = Files.walk(javaHome)) {
            for (Path link : files.filter(Files::isSymbolicLink).toList()) {
                Path target = Files.readSymbolicLink(link);
                if (target.isAbsolute() && Files.exists(target) && !target.startsWith("/usr")) {
                    dirs.add(Files.isDirectory(target) ? target : target.getParent());
                }
            }
        }
        List<Path> roots = new ArrayList<>();
        for (Path dir : dirs) {
            if (roots.stream().noneMatch(dir::startsWith)) {
                roots.add(dir);
            }
        }
        return roots;
    }

    private static String field(JsonNode container, JsonNode pod, String name) {
        return container.has(name) ? container.get(name).asText() : pod.path(name).asText();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result podman(Duration timeout, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(List.of(args));
        Path output = Files.createTempFile("podman", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("podman did not finish in " + timeout + ": " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(output));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
