package dev.cafestack.tests.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A stand-in base image, made by the image checks: NOT the production base (the pinned Temurin JRE on Ubuntu, which
 * needs a registry that builds here cannot reach). It is a {@code docker save} archive with one small layer (a marker
 * file, {@code /tmp}, and {@code /lib}, {@code /lib64} linked into {@code /usr} as in a merged-/usr distribution) and a
 * config that a real base would have too (a PATH with {@code /opt/java/openjdk/bin}, where the Temurin images keep
 * Java; a root user; a shell CMD; a label), so the checks can see what the service image keeps from its base and what
 * it overrides. It has no JRE: to run the image, {@link PodmanRun} mounts the build machine's. Jib takes it as
 * {@code tar://<file>}. The root pom's stand-in-base-image execution runs {@link #main} in each image module.
 *
 * @param reference the base image reference to give Jib ({@code tar:///...})
 * @param layerDiffId the uncompressed digest of the base layer, as the service image must still list it first
 */
public record StandInBaseImage(Path file, String reference, String layerDiffId) {

    /** Writes the stand-in base image to the file named by the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: StandInBaseImage <file.tar>");
        }
        writeTo(Path.of(args[0]));
    }

    /** The stand-in base image that {@link #main} wrote to {@code file}. */
    public static StandInBaseImage at(Path file) throws IOException {
        ImageTarball archive = ImageTarball.read(file);
        return new StandInBaseImage(file, "tar://" + file.toAbsolutePath(), archive.layers().get(0).diffId());
    }

    /** Where the stand-in base layer leaves its mark in every image built on it. */
    public static final String MARKER = "/etc/cafe-stack-stand-in-base";
    public static final String CMD = "/bin/sh";
    public static final String LABEL = "dev.cafestack.stand-in-base";

    public static StandInBaseImage writeTo(Path file) throws IOException {
        byte[] layer = tar(out -> {
            directory(out, "etc/", 0755);
            file(out, MARKER.substring(1), 0644,
                    "Stand-in base image made by tests/images; not the production base.\n".getBytes(StandardCharsets.UTF_8));
            directory(out, "tmp/", 01777);
            symlink(out, "lib", "usr/lib");
            symlink(out, "lib64", "usr/lib64");
        });
        String diffId = "sha256:" + sha256(layer);
        ObjectMapper json = new ObjectMapper();
        byte[] config = json.writeValueAsBytes(Map.of(
                "architecture", "amd64",
                "os", "linux",
                "config", Map.of(
                        "Env", List.of("PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                        "User", "0",
                        "Cmd", List.of(CMD),
                        "Labels", Map.of(LABEL, "true")),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(diffId))));
        byte[] manifest = json.writeValueAsBytes(List.of(Map.of(
                "Config", "config.json",
                "RepoTags", List.of("cafe-stack/stand-in-base:test"),
                "Layers", List.of("layer.tar"))));
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream archive = Files.newOutputStream(file)) {
            archive.write(tar(out -> {
                file(out, "layer.tar", 0644, layer);
                file(out, "config.json", 0644, config);
                file(out, "manifest.json", 0644, manifest);
            }));
        }
        return new StandInBaseImage(file, "tar://" + file.toAbsolutePath(), diffId);
    }

    private interface TarWriter {
        void write(TarArchiveOutputStream out) throws IOException;
    }

    private static byte[] tar(TarWriter entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(out);
        }
        return bytes.toByteArray();
    }

    private static void directory(TarArchiveOutputStream out, String name, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode);
        entry.setModTime(0);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    private static void symlink(TarArchiveOutputStream out, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        entry.setLinkName(target);
        entry.setModTime(0);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream out, String name, int mode, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode);
        entry.setSize(content.length);
        entry.setModTime(0);
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
