package dev.cafestack.tests.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image as {@code jib:buildTar} writes it ({@code docker load} format: manifest.json, config.json, one gzipped tar
 * per layer), read completely: the tags, the container config, and every entry of every layer with its owner, mode,
 * time and content digest.
 */
public final class ImageTarball {

    /** One file or directory of one layer; {@code path} is absolute, without a trailing slash. */
    public record Entry(String path, boolean directory, int mode, long uid, long gid, long size, Instant modified,
                        String sha256) {
    }

    /** A layer: its uncompressed digest (as the config lists it) and its entries in archive order. */
    public record Layer(String diffId, List<Entry> entries) {

        public boolean contains(String path) {
            return entries.stream().anyMatch(e -> e.path().equals(path));
        }
    }

    private final Path tarball;
    private final List<String> repoTags;
    private final JsonNode config;
    private final List<Layer> layers;

    private ImageTarball(Path tarball, List<String> repoTags, JsonNode config, List<Layer> layers) {
        this.tarball = tarball;
        this.repoTags = repoTags;
        this.config = config;
        this.layers = layers;
    }

    public static ImageTarball read(Path tarball) throws IOException {
        Map<String, byte[]> files = files(tarball);
        JsonNode manifest = manifest(files);
        JsonNode config = new ObjectMapper().readTree(required(files, manifest.get("Config").asText()));
        List<String> tags = new ArrayList<>();
        manifest.get("RepoTags").forEach(t -> tags.add(t.asText()));
        JsonNode diffIds = config.at("/rootfs/diff_ids");
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < manifest.get("Layers").size(); i++) {
            byte[] blob = required(files, manifest.get("Layers").get(i).asText());
            layers.add(new Layer(diffIds.get(i).asText(), entries(blob)));
        }
        return new ImageTarball(tarball, List.copyOf(tags), config, List.copyOf(layers));
    }

    public List<String> repoTags() {
        return repoTags;
    }

    /** The whole image config (created, architecture, config.Entrypoint, config.User, rootfs, history ...). */
    public JsonNode config() {
        return config;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The file system a container sees: later layers win (this project's images have no whiteouts). */
    public Map<String, Entry> fileSystem() {
        Map<String, Entry> view = new LinkedHashMap<>();
        layers.forEach(layer -> layer.entries().forEach(e -> view.put(e.path(), e)));
        return view;
    }

    public Optional<Entry> entry(String path) {
        return Optional.ofNullable(fileSystem().get(path));
    }

    /** The layer that holds {@code path} (the last one, if several do). */
    public Layer layerOf(String path) {
        return layers.stream().filter(l -> l.contains(path)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no layer holds " + path));
    }

    /**
     * Writes the regular files under {@code directory} (absolute, as a container sees it) into {@code into}, as a
     * container sees them: later layers win, and each file keeps its size and modification time from the image.
     */
    public void extract(String directory, Path into) throws IOException {
        String prefix = directory.endsWith("/") ? directory : directory + "/";
        Map<String, byte[]> files = files(tarball);
        for (JsonNode layer : manifest(files).get("Layers")) {
            try (TarArchiveInputStream in = layer(required(files, layer.asText()))) {
                for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    String path = path(e);
                    if (!e.isFile() || !path.startsWith(prefix)) {
                        continue;
                    }
                    Path target = into.resolve(path.substring(prefix.length())).normalize();
                    if (!target.startsWith(into)) {
                        throw new IOException(tarball + ": " + path + " leaves " + directory);
                    }
                    Files.createDirectories(target.getParent());
                    Files.write(target, in.readAllBytes());
                    Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
                }
            }
        }
    }

    private static List<Entry> entries(byte[] blob) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (TarArchiveInputStream in = layer(blob)) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String sha256 = e.isFile() ? StandInBaseImage.sha256(in.readAllBytes()) : null;
                entries.add(new Entry(path(e), e.isDirectory(), e.getMode() & 07777, e.getLongUserId(),
                        e.getLongGroupId(), e.getSize(), e.getModTime().toInstant(), sha256));
            }
        }
        return List.copyOf(entries);
    }

    /** The tarball's own files (manifest.json, the config, the layer blobs) by name. */
    private static Map<String, byte[]> files(Path tarball) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tarball))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile()) {
                    files.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return files;
    }

    private static JsonNode manifest(Map<String, byte[]> files) throws IOException {
        return new ObjectMapper().readTree(required(files, "manifest.json")).get(0);
    }

    /** A layer blob's entries, gzip-compressed or not. */
    private static TarArchiveInputStream layer(byte[] blob) throws IOException {
        InputStream raw = new ByteArrayInputStream(blob);
        return new TarArchiveInputStream(blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b
                ? new GZIPInputStream(raw) : raw);
    }

    /** An entry's path as a container sees it: absolute, no trailing slash. */
    private static String path(TarArchiveEntry e) {
        return "/" + e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
    }

    private static byte[] required(Map<String, byte[]> files, String name) {
        byte[] content = files.get(name);
        if (content == null) {
            throw new AssertionError("image tarball has no " + name + " (has " + files.keySet() + ")");
        }
        return content;
    }
}
