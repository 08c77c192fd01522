package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base image given as a registry reference: pulled from a real registry with Jib's library and run from the saved
 * copy. The registry is a stand-in for Docker Hub and ECR: Debian's {@code docker-registry} (the CNCF distribution
 * registry) on a loopback port, the image pushed by {@code skopeo}; the image is a small one the test writes, whose
 * {@code java} is a script answering {@code -version}. Without those two tools the registry cases are skipped, except
 * where {@code -Dcafe.play.required=true} says they must run (CI installs them).
 */
class RegistryBaseTest {

    private static final String JAVA = "#!/bin/sh\necho 'openjdk version \"99\"' >&2\n"
            + "echo 'Registry Stand-in Runtime (build 99+7)' >&2\n";

    @TempDir
    Path dir;

    private Process registry;

    @AfterEach
    void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.destroy();
            registry.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("pulls a base pinned by digest from its registry once, runs its own JVM, and reuses it with the registry "
            + "gone; pulls a tag each build, keeping its copy while the tag names the same image")
    void pullsARegistryBaseAndKeepsItByDigest() throws Exception {
        int port = startRegistry();
        String digest = push(standInImage(), "127.0.0.1:" + port + "/cafe/jre-base:1");
        String base = "127.0.0.1:" + port + "/cafe/jre-base@" + digest;
        ByteArrayOutputStream said = new ByteArrayOutputStream();

        Path java = ImageJvm.choose(base, dir.resolve("cache"), new PrintStream(said, true));

        assertThat(java.toString()).startsWith(dir.resolve("cache").toRealPath().toString()).endsWith("/opt/jdk/bin/java");
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("the base image " + base + " is pulled and saved as")
                .contains("written by the base image's own JVM (Registry Stand-in Runtime (build 99+7))");

        String byTag = "127.0.0.1:" + port + "/cafe/jre-base:1";
        Path fromTag = ImageJvm.choose(byTag, dir.resolve("cache"), new PrintStream(said, true));
        Path marker = Files.writeString(fromTag.resolveSibling("left-by-the-test"), "");
        assertThat(ImageJvm.choose(byTag, dir.resolve("cache"), new PrintStream(said, true)))
                .as("a tag is pulled again, and while it names the same image its extracted copy is reused")
                .isEqualTo(fromTag);
        assertThat(marker).exists();

        stopRegistry();
        registry = null;
        said.reset();
        assertThat(ImageJvm.choose(base, dir.resolve("cache"), new PrintStream(said, true)))
                .as("a base pinned by digest is pulled once: the next build needs no registry").isEqualTo(java);

        said.reset();
        assertThat(ImageJvm.choose(byTag, dir.resolve("cache"), new PrintStream(said, true)))
                .as("a tag may move: it is pulled each build, and without the registry the build's JVM writes the archive")
                .isEqualTo(ImageJvm.host());
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("WARNING: the base image " + byTag
                + " cannot be pulled (127.0.0.1:" + port + " unreachable");
    }

    @Test
    @DisplayName("goes on with the build's JVM within seconds, saying so, when the base's registry does not answer")
    void fallsBackWhenTheRegistryIsUnreachable() throws IOException {
        int closed = freePort();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        long start = System.nanoTime();

        Path java = ImageJvm.choose("127.0.0.1:" + closed + "/cafe/jre-base@sha256:" + "0".repeat(64),
                dir.resolve("cache"), new PrintStream(said, true));

        assertThat(java).isEqualTo(ImageJvm.host());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(RegistryBase.CONNECT.plusSeconds(2));
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("cannot be pulled (127.0.0.1:" + closed + " unreachable")
                .contains("this build's JVM").contains("starts without it");
    }

    @Test
    @DisplayName("names cafe.image.base and the form it takes when the reference is not an image reference")
    void refusesAMalformedReference() {
        assertThatThrownBy(() -> ImageJvm.choose("Not An//Image", dir.resolve("cache"), System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cafe.image.base 'Not An//Image' is not an image reference")
                .hasMessageContaining("@sha256:<digest>");
    }

    @Test
    @DisplayName("allows plain HTTP to a registry on this machine only")
    void plainHttpOnlyOnLoopback() {
        assertThat(RegistryBase.loopback("127.0.0.1:5000")).isTrue();
        assertThat(RegistryBase.loopback("localhost:5000")).isTrue();
        assertThat(RegistryBase.loopback("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).isFalse();
        assertThat(RegistryBase.loopback("registry-1.docker.io")).isFalse();
    }

    // --- the stand-in registry and image ---

    private int startRegistry() throws Exception {
        boolean required = Boolean.getBoolean("cafe.play.required");
        for (String tool : List.of("docker-registry", "skopeo")) {
            boolean found = Files.isExecutable(Path.of("/usr/bin", tool));
            if (required) {
                assertThat(found).as("%s (Debian package %s) is required here (-Dcafe.play.required=true)", tool, tool)
                        .isTrue();
            }
            Assumptions.assumeTrue(found, tool + " is not installed (apt-get install docker-registry skopeo)");
        }
        int port = freePort();
        Path config = Files.writeString(dir.resolve("registry.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("registry-data"), port));
        registry = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return port;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(registry.isAlive()).as("docker-registry exited: %s", Files.readString(dir.resolve("registry.log")))
                    .isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("docker-registry did not answer on port " + port + " within 20 s: "
                + Files.readString(dir.resolve("registry.log")));
    }

    /** Pushes a docker save archive with skopeo; returns the pushed manifest's digest. */
    private String push(Path archive, String reference) throws Exception {
        run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "docker-archive:" + archive, "docker://" + reference);
        return run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + reference).trim();
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
        return output;
    }

    /** A docker save archive of one layer holding /opt/jdk/bin/java, with PATH=/opt/jdk/bin:/usr/bin. */
    private Path standInImage() throws IOException, NoSuchAlgorithmException {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(layer)) {
            for (String name : List.of("opt/", "opt/jdk/", "opt/jdk/bin/")) {
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setMode(040755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            put(tar, "opt/jdk/bin/java", JAVA.getBytes(StandardCharsets.UTF_8), 0100755);
        }
        byte[] layerBytes = layer.toByteArray();
        String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layerBytes));
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/opt/jdk/bin:/usr/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"stand-in:1\"],\"Layers\":[\"layer.tar\"]}]"
                .getBytes(StandardCharsets.UTF_8);
        Path archive = dir.resolve("stand-in.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            put(tar, "layer.tar", layerBytes, 0100644);
            put(tar, "config.json", config, 0100644);
            put(tar, "manifest.json", manifest, 0100644);
        }
        return archive;
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
