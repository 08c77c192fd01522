package dev.cafestack.tests.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The root pom's cafe-image-probe execution and the jib executions that obey it, run for real (Maven on the root pom
 * alone, as an image module with {@code -Dcafe.image.skip=false}). Jib does not build an image of a pom project, so a
 * jib execution here either says it is skipped or that it would have built. Every base here is local: a tar file made
 * by the test, or a registry port on the loopback address.
 */
@DisplayName("The image probe (mvn package without or with the base image)")
class ImageProbeIT {

    private static final String SKIPPED = "Skipping containerization because jib-maven-plugin: skip = true";
    private static final String WOULD_BUILD = "Skipping containerization because packaging is 'pom'";
    private static final String ADVICE = "; build one offline with -Dcafe.image.base=tar:///path/to/base.tar (see README)";

    private final Path root = Path.of(BuildProperties.required("cafe.root")).toAbsolutePath().normalize();
    private final Path work = Path.of("target/image-probe-it").toAbsolutePath();
    private final ProjectMaven maven = new ProjectMaven(root);

    @Test
    @DisplayName("builds the image tarball from a tar:// base that exists, without a warning")
    void buildsFromAnExistingTarBase() throws Exception {
        StandInBaseImage base = StandInBaseImage.writeTo(work.resolve("stand-in-base.tar"));
        ProjectMaven.Run run = probe("present", base.reference());
        assertThat(warnings(run)).as(run.describe()).isEmpty();
        assertThat(jib(run, "image-tarball")).as(run.describe()).isEqualTo(WOULD_BUILD);
        assertThat(jib(run, "image-it")).as(run.describe()).isEqualTo(WOULD_BUILD);
    }

    @Test
    @DisplayName("skips the image tarball with one warning line, no error, and removes an earlier tarball, when a tar:// base is missing")
    void skipsWithoutTheTarBase() throws Exception {
        Path missing = work.resolve("no-such-base.tar");
        Path stale = root.resolve("target/jib-image.tar");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "an earlier build's image");
        ProjectMaven.Run run = probe("missing", "tar://" + missing, "-DskipITs");
        assertThat(warnings(run)).as(run.describe()).containsExactly("[WARNING]      [echo] cafe-stack image tarball skipped: "
                + "base image tar://" + missing + " cannot be read (" + missing + " does not exist)" + ADVICE);
        assertThat(run.output()).as(run.describe()).noneMatch(line -> line.startsWith("[ERROR]") || line.contains("Exception"));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(jib(run, "image-tarball")).as(run.describe()).isEqualTo(SKIPPED);
        assertThat(jib(run, "image-it")).as("image-it with -DskipITs: " + run.describe()).isEqualTo(SKIPPED);
        assertThat(stale).doesNotExist();
    }

    @Test
    @DisplayName("builds the image tarball when the base image's registry accepts a connection")
    void buildsWhenTheRegistryAnswers() throws Exception {
        try (ServerSocket registry = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ProjectMaven.Run run = probe("registry-up", "localhost:" + registry.getLocalPort() + "/cafe/base:1");
            assertThat(warnings(run)).as(run.describe()).isEmpty();
            assertThat(jib(run, "image-tarball")).as(run.describe()).isEqualTo(WOULD_BUILD);
        }
    }

    @Test
    @DisplayName("skips the image tarball with one warning line naming the registry host and port that did not answer")
    void skipsWhenTheRegistryDoesNotAnswer() throws Exception {
        String base = "registry://localhost:1/cafe/base@sha256:" + "0".repeat(64);
        ProjectMaven.Run run = probe("registry-down", base, "-DskipTests");
        assertThat(warnings(run)).as(run.describe()).containsExactly("[WARNING]      [echo] cafe-stack image tarball skipped: "
                + "base image " + base + " cannot be pulled (localhost:1 unreachable)" + ADVICE);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(jib(run, "image-tarball")).as(run.describe()).isEqualTo(SKIPPED);
        assertThat(jib(run, "image-it")).as("image-it with -DskipTests: " + run.describe()).isEqualTo(SKIPPED);
    }

    @Test
    @DisplayName("makes no image and says nothing in a module without one (cafe.image.skip=true)")
    void staysQuietWithoutAnImage() throws Exception {
        ProjectMaven.Run run = probe("no-image", "tar://" + work.resolve("no-such-base.tar"), "-Dcafe.image.skip=true");
        assertThat(warnings(run)).as(run.describe()).isEmpty();
        assertThat(jib(run, "image-tarball")).as(run.describe()).isEqualTo(SKIPPED);
        assertThat(jib(run, "image-it")).as(run.describe()).isEqualTo(SKIPPED);
    }

    private ProjectMaven.Run probe(String name, String base, String... properties) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "antrun:run@cafe-image-probe", "jib:buildTar@image-tarball", "jib:buildTar@image-it",
                "-Dcafe.image.skip=false", "-Dcafe.image.base=" + base));
        args.addAll(List.of(properties));
        ProjectMaven.Run run = maven.run(work.resolve(name + ".log"), args);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return run;
    }

    private static List<String> warnings(ProjectMaven.Run run) {
        return run.output().stream().filter(line -> line.contains("image tarball skipped")).toList();
    }

    /** What the jib execution {@code id} said about itself: the first line after its header. */
    private static String jib(ProjectMaven.Run run, String id) {
        List<String> out = run.output();
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).matches("\\[INFO] --- (jib-maven-plugin|jib):\\S+:buildTar \\(" + id + "\\) @ .*")) {
                return out.subList(i + 1, out.size()).stream().map(l -> l.replaceFirst("^\\[INFO] ", ""))
                        .filter(l -> !l.isBlank()).findFirst().orElse("").replaceFirst("\\.\\.\\.$", "");
            }
        }
        throw new AssertionError("jib execution " + id + " did not run: " + run.describe());
    }
}
