package dev.cafestack.localrun;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The JVM that writes a service's class data archive: the image's own. A JVM uses a CDS archive only if that very
 * runtime wrote it (the same {@code libjvm.so}, the same {@code lib/modules}), and ignores any other archive; an archive
 * written by the build machine's JDK is dead weight in an image whose base brings another JVM build. So the base's root
 * file system is extracted once and the {@code java} on the image's {@code PATH} writes the archive, from the extracted
 * copy: a JVM may be moved, and the image then accepts the archive in {@code /deployments}. The base is a file
 * ({@code tar://}, a {@code docker save} archive; the extraction is cached by the file's path, size and time) or a
 * registry reference, which {@link RegistryBase} pulls and saves as such a file first (kept when pinned by digest).
 * <p>
 * Otherwise the build's own JVM writes it, and this says why: a base without {@code java} (the image checks' stand-in,
 * which runs a mounted JVM: that one), a base whose JVM does not run on this machine (a musl JVM on a glibc host), a
 * registry that cannot be reached (the image is then not built either), or a base in a Docker daemon. {@link #main}
 * records the choice in the module's {@code target/app-cds-java}, which the training run, the image checks and the
 * benchmark read ({@link #recorded}).
 */
public final class ImageJvm {

    /** The file, in a module's build directory, that names the {@code java} which wrote its archive. */
    public static final String RECORD = "app-cds-java";

    /** The feature release in a {@code java -version} runtime line: {@code (build 25.0.3+9-LTS)}. */
    private static final Pattern BUILD = Pattern.compile("\\(build (\\d+)");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private ImageJvm() {
    }

    /** Usage: {@code ImageJvm <cafe.image.base> <cache dir> <record file>}; prints which JVM and why. */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: ImageJvm <base image reference> <extraction cache dir> <record file>");
            System.exit(2);
        }
        try {
            Path java = choose(args[0], Path.of(args[1]), System.out);
            Path record = Path.of(args[2]);
            Files.createDirectories(record.toAbsolutePath().getParent());
            Files.writeString(record, java + "\n");
        } catch (IOException | RuntimeException e) {
            System.err.println("ImageJvm: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The {@code java} that a module's archive was written with ({@link #RECORD}), or this JVM's if none is recorded. */
    public static Path recorded(Path buildDirectory) {
        Path record = buildDirectory.resolve(RECORD);
        try {
            if (Files.isRegularFile(record)) {
                return Path.of(Files.readString(record).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + record + ": " + e.getMessage(), e);
        }
        return host();
    }

    /** This JVM's {@code java}: the build's. */
    public static Path host() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The {@code java} to write the archive of an image built from {@code base}; says on {@code out} which and why. */
    public static Path choose(String base, Path cacheRoot, PrintStream out) throws IOException {
        Path host = host();
        // This JVM is the build's: its version line is known without starting another one.
        String hostVersion = System.getProperty("java.runtime.name") + " (build " + System.getProperty("java.runtime.version")
                + ")";
        Path archive;
        if (base.startsWith("tar://")) {
            archive = Path.of(base.substring("tar://".length()));
            if (!Files.isRegularFile(archive)) {
                // The image probe has said so already and skips the image; the build goes on offline, as without a base.
                out.println("[app-cds] the base image file " + archive + " does not exist, so no image is built on it: "
                        + "this build's JVM (" + hostVersion + ") writes the class data archive.");
                return host;
            }
        } else if (base.startsWith("docker://")) {
            out.println("[app-cds] WARNING: the base image " + base + " comes from a Docker daemon, so this build's JVM ("
                    + hostVersion + ") writes the class data archive; the image's JVM uses it only if it is that very "
                    + "runtime, and otherwise starts without it, silently. Give the base as a registry reference or a "
                    + "saved file (-Dcafe.image.base=tar:///path/base.tar) to have its own JVM write it (README \"Images\").");
            return host;
        } else {
            String reference = base.replaceFirst("^registry://", "");
            try {
                archive = RegistryBase.save(reference, cacheRoot);
            } catch (RegistryBase.Unavailable e) {
                // The image probe has said so already when the registry is unreachable, and skips the image.
                out.println("[app-cds] WARNING: the base image " + reference + " " + e.getMessage() + ", so this "
                        + "build's JVM (" + hostVersion + ") writes the class data archive; an image built later from "
                        + "that base starts without it (its JVM uses only an archive that very runtime wrote).");
                return host;
            }
            out.println("[app-cds] the base image " + reference + " is pulled and saved as " + archive);
        }
        Optional<Path> java = extract(archive, cacheRoot);
        if (java.isEmpty()) {
            out.println("[app-cds] the base image " + archive + " has no java on its PATH: this build's JVM ("
                    + hostVersion + ") writes the class data archive, for a container that runs this JVM.");
            return host;
        }
        Optional<String> version = version(java.get());
        if (version.isEmpty()) {
            out.println("[app-cds] WARNING: the JVM of the base image " + archive + " (" + java.get() + ") does not run "
                    + "on this machine (a musl JVM on a glibc host?), so this build's JVM (" + hostVersion + ") writes "
                    + "the class data archive and the image's JVM will start without it. Use a glibc base (Debian, "
                    + "Ubuntu) to have the image's own JVM write it.");
            return host;
        }
        out.println("[app-cds] the class data archive is written by the base image's own JVM (" + version.get() + "), "
                + java.get());
        return java.get();
    }

    /**
     * Extracts the root file system of a {@code docker save} archive (layers applied in order, whiteouts honoured,
     * absolute links kept inside the copy) into {@code cacheRoot}, once per archive file; returns the real path of the
     * {@code java} on the image's {@code PATH}, or empty if it has none.
     */
    public static Optional<Path> extract(Path archive, Path cacheRoot) throws IOException {
        if (!Files.isRegularFile(archive)) {
            throw new IllegalArgumentException("base image file " + archive + " does not exist (cafe.image.base=tar://"
                    + archive + "): build it (tests/play/jre-base.sh) or save one (README \"Images\")");
        }
        Path dir = cacheRoot.resolve(key(archive));
        Path rootfs = dir.resolve("rootfs");
        Path done = dir.resolve("complete");
        Map<String, byte[]> small = smallFiles(archive);
        Map<?, ?> manifest = manifest(archive, small);
        Map<?, ?> config = json(archive, small, string(field(manifest, "Config"), archive, "Config"));
        if (!Files.exists(done)) {
            deleteTree(dir); // an extraction that did not finish
            Path root = Files.createDirectories(rootfs).toRealPath();
            if (!(field(manifest, "Layers") instanceof List<?> layers)) {
                throw new IOException(archive + ": manifest.json has no Layers list");
            }
            for (Object name : layers) {
                applyLayer(archive, string(name, archive, "Layers"), root);
            }
            Files.writeString(done, archive + "\n");
        }
        return java(rootfs, pathOf(config));
    }

    /** The real path of {@code java} in the first directory of {@code path} that has one, inside {@code rootfs}. */
    static Optional<Path> java(Path rootfs, String path) throws IOException {
        Path root = rootfs.toRealPath();
        for (String dir : path.split(":")) {
            if (!dir.startsWith("/")) {
                continue;
            }
            Path candidate = root.resolve(dir.substring(1)).resolve("java");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                Path real = candidate.toRealPath();
                if (real.startsWith(root)) {
                    return Optional.of(real);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The feature release of a {@code java -version} runtime line ({@code ... (build 25.0.3+9-LTS)} is 25), or 0 if the
     * line names none.
     */
    public static int featureRelease(String runtimeLine) {
        Matcher build = BUILD.matcher(runtimeLine);
        return build.find() ? Integer.parseInt(build.group(1)) : 0;
    }

    /** {@code java -version}'s runtime line, or empty if that java does not run here. */
    static Optional<String> version(Path java) {
        try {
            Process process = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            if (process.exitValue() != 0) {
                return Optional.empty();
            }
            List<String> lines = output.lines().toList();
            return Optional.of(lines.size() > 1 ? lines.get(1).trim() : output.trim());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static void applyLayer(Path archive, String layerName, Path root) throws IOException {
        try (TarArchiveInputStream outer = new TarArchiveInputStream(Files.newInputStream(archive))) {
            for (TarArchiveEntry file = outer.getNextEntry(); file != null; file = outer.getNextEntry()) {
                if (!file.isFile() || !file.getName().equals(layerName)) {
                    continue;
                }
                try (TarArchiveInputStream layer = new TarArchiveInputStream(decompressed(outer))) {
                    for (TarArchiveEntry e = layer.getNextEntry(); e != null; e = layer.getNextEntry()) {
                        apply(e, layer, root, archive + " " + layerName);
                    }
                }
                return;
            }
        }
        throw new IOException(archive + ": manifest.json names layer " + layerName + ", which the archive does not hold");
    }

    private static void apply(TarArchiveEntry e, InputStream content, Path root, String where)
            throws IOException {
        String name = relative(e.getName(), where);
        if (name.isEmpty()) {
            return;
        }
        Path target = root.resolve(name);
        Path parent = target.getParent();
        String base = target.getFileName().toString();
        inside(root, parent, where, name);
        if (base.equals(OPAQUE)) {
            if (Files.isDirectory(parent)) {
                try (Stream<Path> children = Files.list(parent)) {
                    for (Path child : children.toList()) {
                        deleteTree(child);
                    }
                }
            }
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            deleteTree(parent.resolve(base.substring(WHITEOUT.length())));
            return;
        }
        Files.createDirectories(parent);
        if (e.isDirectory()) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(target);
                Files.createDirectory(target);
            }
            return;
        }
        deleteTree(target); // a file or link of an earlier layer: replaced, never written through
        if (e.isSymbolicLink()) {
            String link = e.getLinkName();
            // An absolute link points into the image, so into the copy: where the image's JVM finds its conf and
            // certificates.
            Files.createSymbolicLink(target, Path.of(link.startsWith("/") ? root.resolve(link.substring(1)).toString()
                    : link));
        } else if (e.isLink()) {
            Path source = root.resolve(relative(e.getLinkName(), where));
            inside(root, source.getParent(), where, e.getLinkName());
            Files.copy(source, target);
        } else if (e.isFile()) {
            Files.copy(content, target);
            Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE);
            int mode = e.getMode();
            if ((mode & 0100) != 0) {
                permissions.add(PosixFilePermission.OWNER_EXECUTE);
            }
            if ((mode & 0044) != 0) {
                permissions.add(PosixFilePermission.GROUP_READ);
                permissions.add(PosixFilePermission.OTHERS_READ);
            }
            if ((mode & 0011) != 0) {
                permissions.add(PosixFilePermission.GROUP_EXECUTE);
                permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            }
            Files.setPosixFilePermissions(target, permissions);
        }
        // Devices and FIFOs: nothing a JVM reads.
    }

    /** An entry's path relative to the root: no leading "./" or "/", no trailing "/"; ".." is refused. */
    private static String relative(String name, String where) throws IOException {
        String path = name.replaceFirst("^(\\./)+", "").replaceFirst("^/+", "").replaceFirst("/+$", "");
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw new IOException(where + ": entry " + name + " leaves the image's root");
            }
        }
        return path.equals(".") ? "" : path;
    }

    /**
     * Refuses to write where an earlier link of the image would lead outside the copy: the nearest existing directory
     * of {@code dir} (before any is created) must be inside the root.
     */
    private static void inside(Path root, Path dir, String where, String name) throws IOException {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            if (Files.isSymbolicLink(existing)) {
                throw new IOException(where + ": entry " + name + " leads through a dangling link");
            }
            existing = existing.getParent();
        }
        if (existing == null || !existing.toRealPath().startsWith(root)) {
            throw new IOException(where + ": entry " + name + " leads outside the image's root through a link");
        }
    }

    private static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        return first == 0x1f && second == 0x8b ? new GZIPInputStream(buffered) : buffered;
    }

    /** manifest.json and the JSON files of a {@code docker save} archive (the layers are left on disk). */
    private static Map<String, byte[]> smallFiles(Path archive) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(archive))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile() && e.getName().endsWith(".json") && e.getSize() < (1 << 20)) {
                    files.put(e.getName().replaceFirst("^\\./", ""), in.readAllBytes());
                }
            }
        }
        return files;
    }

    private static Map<?, ?> manifest(Path archive, Map<String, byte[]> files) throws IOException {
        byte[] manifest = files.get("manifest.json");
        if (manifest == null) {
            throw new IOException(archive + " is not a docker save archive (no manifest.json): save the base with "
                    + "podman save --format docker-archive (or docker save)");
        }
        Object parsed = parse(manifest);
        if (!(parsed instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof Map<?, ?> first)) {
            throw new IOException(archive + ": manifest.json is not a list of images");
        }
        return first;
    }

    /** A field of manifest.json by name, in any case: docker writes {@code Config}, some tools {@code config}. */
    private static Object field(Map<?, ?> manifest, String name) {
        for (Map.Entry<?, ?> e : manifest.entrySet()) {
            if (e.getKey() instanceof String key && key.equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static Map<?, ?> json(Path archive, Map<String, byte[]> files, String name) throws IOException {
        byte[] content = files.get(name.replaceFirst("^\\./", ""));
        if (content == null) {
            throw new IOException(archive + ": manifest.json names config " + name + ", which the archive does not hold");
        }
        Object parsed = parse(content);
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IOException(archive + ": " + name + " is not a JSON object");
        }
        return map;
    }

    /** The image's PATH (its config's Env), or the default a container runtime gives an image without one. */
    private static String pathOf(Map<?, ?> image) {
        if (image.get("config") instanceof Map<?, ?> config && config.get("Env") instanceof List<?> env) {
            for (Object entry : env) {
                if (entry instanceof String s && s.startsWith("PATH=")) {
                    return s.substring("PATH=".length());
                }
            }
        }
        return DEFAULT_PATH;
    }

    private static Object parse(byte[] json) {
        // JSON is YAML: the parser local-run already uses for manifests reads it.
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(new String(json, StandardCharsets.UTF_8));
    }

    private static String string(Object value, Path archive, String field) throws IOException {
        if (value instanceof String s) {
            return s;
        }
        throw new IOException(archive + ": manifest.json field " + field + " is not a string: " + value);
    }

    /** The cache key of an archive file: its real path, size and modification time. */
    private static String key(Path archive) throws IOException {
        Path real = archive.toRealPath();
        return cacheName(real.getFileName().toString(),
                real + "\n" + Files.size(real) + "\n" + Files.getLastModifiedTime(real).toMillis());
    }

    /**
     * A name in the cache directory: {@code readable} with only file-name-safe characters, then a short hash of
     * {@code identity}, which tells apart what the readable part does not.
     */
    static String cacheName(String readable, String identity) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return readable.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    p.toFile().setWritable(true);
                    Files.delete(p);
                }
            }
        } else {
            Files.delete(path);
        }
    }
}
