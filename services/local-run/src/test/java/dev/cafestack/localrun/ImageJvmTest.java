package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM that writes a class data archive: the base image's own, from its {@code docker save} archive, or the build's
 * with the reason said. The images here are small stand-ins written by the test, with a shell script as their
 * {@code java} (one that answers {@code -version}, one that fails as a JVM of another libc would).
 */
class ImageJvmTest {

    private static final String RUNS = "#!/bin/sh\necho 'openjdk version \"99\"' >&2\n"
            + "echo 'Stand-in Runtime (build 99+1)' >&2\n";
    private static final String FAILS = "#!/bin/sh\necho 'cannot execute: required file not found' >&2\nexit 127\n";

    @TempDir
    Path dir;

    @Test
    @DisplayName("extracts the base's file system layer by layer, whiteouts honoured, and finds java on the image's PATH")
    void extractsTheBaseAndFindsItsJava() throws IOException {
        Path archive = image("base.tar", "PATH=/usr/local/bin:/usr/bin",
                layer(true, dir("opt/jdk/bin"), file("opt/jdk/bin/java", RUNS, 0755),
                        dir("etc/jdk/security"), file("etc/jdk/security/java.security", "policy=image\n", 0644),
                        dir("opt/jdk/conf"), link("opt/jdk/conf/security", "/etc/jdk/security"),
                        dir("usr/bin"), link("usr/bin/java", "/opt/jdk/bin/java"),
                        dir("old"), file("old/file", "gone\n", 0644),
                        dir("stale/dir"), file("stale/dir/a", "earlier layer\n", 0644)),
                layer(false, file("old/.wh.file", "", 0644), file("stale/dir/.wh..wh..opq", "", 0644),
                        file("stale/dir/b", "later layer\n", 0644)));

        Path java = ImageJvm.extract(archive, dir.resolve("cache")).orElseThrow();

        Path rootfs = java.getParent().getParent().getParent().getParent();
        assertThat(java).isEqualTo(rootfs.resolve("opt/jdk/bin/java")).isExecutable();
        assertThat(rootfs.resolve("opt/jdk/conf/security/java.security"))
                .as("an absolute link of the image leads into the copy, not into this machine's /etc")
                .hasContent("policy=image");
        assertThat(rootfs.resolve("old/file")).doesNotExist();
        assertThat(rootfs.resolve("stale/dir").toFile().list()).containsExactly("b");
    }

    @Test
    @DisplayName("has the base image's own JVM write the archive when it runs here, and extracts the base only once")
    void choosesTheBasesOwnJvm() throws IOException {
        Path archive = image("base.tar", "PATH=/opt/jdk/bin:/usr/bin",
                layer(true, dir("opt/jdk/bin"), file("opt/jdk/bin/java", RUNS, 0755)));
        ByteArrayOutputStream said = new ByteArrayOutputStream();

        Path java = ImageJvm.choose("tar://" + archive, dir.resolve("cache"), new PrintStream(said, true));

        assertThat(java.toString()).startsWith(dir.resolve("cache").toRealPath().toString()).endsWith("/opt/jdk/bin/java");
        assertThat(said.toString(StandardCharsets.UTF_8))
                .contains("written by the base image's own JVM (Stand-in Runtime (build 99+1))");
        Path marker = Files.writeString(java.resolveSibling("left-by-the-test"), "");
        assertThat(ImageJvm.choose("tar://" + archive, dir.resolve("cache"), new PrintStream(OutputStream.nullOutputStream())))
                .isEqualTo(java);
        assertThat(marker).as("the second build reuses the extracted copy").exists();
    }

    @Test
    @DisplayName("falls back to the build's JVM, saying why, for a base in a Docker daemon, a missing base file, a base "
            + "without java, or one whose java does not run here (a registry base: RegistryBaseTest)")
    void fallsBackToTheBuildsJvm() throws IOException {
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(said, true);

        assertThat(ImageJvm.choose("docker://eclipse-temurin:21-jre", dir.resolve("cache"), out))
                .isEqualTo(ImageJvm.host());
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("WARNING: the base image docker://eclipse-temurin:21-jre"
                + " comes from a Docker daemon").contains("-Dcafe.image.base=tar://");

        said.reset();
        assertThat(ImageJvm.choose("tar://" + dir.resolve("missing.tar"), dir.resolve("cache"), out))
                .as("a missing base file: the image probe skips the image, the build goes on").isEqualTo(ImageJvm.host());
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("missing.tar does not exist, so no image is built on it");

        said.reset();
        Path noJava = image("no-java.tar", "PATH=/opt/java/openjdk/bin:/usr/bin", layer(true, dir("tmp")));
        assertThat(ImageJvm.choose("tar://" + noJava, dir.resolve("cache"), out)).isEqualTo(ImageJvm.host());
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("has no java on its PATH");

        said.reset();
        Path otherLibc = image("musl.tar", "PATH=/opt/jdk/bin",
                layer(true, dir("opt/jdk/bin"), file("opt/jdk/bin/java", FAILS, 0755)));
        assertThat(ImageJvm.choose("tar://" + otherLibc, dir.resolve("cache"), out)).isEqualTo(ImageJvm.host());
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("WARNING: the JVM of the base image")
                .contains("does not run on this machine").contains("will start without it");
    }

    @Test
    @DisplayName("refuses a base whose entries or links lead outside its root, naming the entry")
    void refusesEntriesOutsideTheRoot() throws IOException {
        Path dotDot = image("dotdot.tar", "PATH=/bin", layer(true, file("../escaped", "x", 0644)));
        assertThatThrownBy(() -> ImageJvm.extract(dotDot, dir.resolve("cache"))).isInstanceOf(IOException.class)
                .hasMessageContaining("entry ../escaped leaves the image's root");

        // rootfs/up -> ../.. is the cache directory: outside the image's root.
        Path viaLink = image("link.tar", "PATH=/bin", layer(true, link("up", "../.."), file("up/escaped", "x", 0644)));
        assertThatThrownBy(() -> ImageJvm.extract(viaLink, dir.resolve("cache"))).isInstanceOf(IOException.class)
                .hasMessageContaining("entry up/escaped leads outside the image's root through a link");
        assertThat(dir.resolve("cache/escaped")).doesNotExist();
    }

    @Test
    @DisplayName("names a missing base file and how to make one, and a file that is no docker save archive")
    void namesABaseItCannotRead() throws IOException {
        assertThatThrownBy(() -> ImageJvm.extract(dir.resolve("missing.tar"), dir.resolve("cache")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.tar does not exist").hasMessageContaining("tests/play/jre-base.sh");
        Path notAnImage = dir.resolve("plain.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(notAnImage))) {
            add(tar, "hello.txt", "hi".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> ImageJvm.extract(notAnImage, dir.resolve("cache"))).isInstanceOf(IOException.class)
                .hasMessageContaining("plain.tar is not a docker save archive (no manifest.json)");
    }

    @Test
    @DisplayName("reads back the JVM a module's archive was written with, and the build's when none is recorded")
    void readsTheRecordedJvm() throws IOException {
        assertThat(ImageJvm.recorded(dir)).isEqualTo(ImageJvm.host());
        Files.writeString(dir.resolve(ImageJvm.RECORD), "/images/base/usr/lib/jvm/bin/java\n");
        assertThat(ImageJvm.recorded(dir)).isEqualTo(Path.of("/images/base/usr/lib/jvm/bin/java"));
    }

    // --- stand-in images: docker save archives (manifest.json, a config, one tar per layer) ---

    private record Item(String name, String content, int mode, String link) {
    }

    private static Item dir(String name) {
        return new Item(name + "/", null, 0755, null);
    }

    private static Item file(String name, String content, int mode) {
        return new Item(name, content, mode, null);
    }

    private static Item link(String name, String target) {
        return new Item(name, null, 0777, target);
    }

    private record Layer(boolean gzip, List<Item> items) {
    }

    private static Layer layer(boolean gzip, Item... items) {
        return new Layer(gzip, List.of(items));
    }

    private Path image(String name, String pathEnv, Layer... layers) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> layerNames = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream raw = layers[i].gzip() ? new GZIPOutputStream(bytes) : bytes;
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Item item : layers[i].items()) {
                    TarArchiveEntry entry;
                    if (item.link() != null) {
                        entry = new TarArchiveEntry(item.name(), TarArchiveEntry.LF_SYMLINK);
                        entry.setLinkName(item.link());
                    } else {
                        entry = new TarArchiveEntry(item.name());
                    }
                    entry.setMode((item.name().endsWith("/") ? 040000 : item.link() != null ? 0120000 : 0100000) | item.mode());
                    byte[] content = item.content() == null ? new byte[0] : item.content().getBytes(StandardCharsets.UTF_8);
                    if (item.content() != null) {
                        entry.setSize(content.length);
                    }
                    tar.putArchiveEntry(entry);
                    tar.write(content);
                    tar.closeArchiveEntry();
                }
            }
            String layerName = "layer" + i + (layers[i].gzip() ? ".tar.gz" : ".tar");
            layerNames.add(layerName);
            files.put(layerName, bytes.toByteArray());
        }
        files.put("config.json", ("{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"" + pathEnv + "\"]}}")
                .getBytes(StandardCharsets.UTF_8));
        files.put("manifest.json", ("[{\"Config\":\"config.json\",\"RepoTags\":[\"stand-in:1\"],\"Layers\":[\""
                + String.join("\",\"", layerNames) + "\"]}]").getBytes(StandardCharsets.UTF_8));
        Path archive = dir.resolve(name);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                add(tar, f.getKey(), f.getValue());
            }
        }
        return archive;
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
