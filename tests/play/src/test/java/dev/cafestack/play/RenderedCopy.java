package dev.cafestack.play;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Node;

/**
 * A throwaway copy of what renders one module's manifests (the root pom, .mvn, environments/, the module's pom, config
 * and fragments), so that a test can edit the module's config and render again with the real build, never touching the
 * repository. The copied module pom loses its dependencies: the render needs none, and the project's own libraries are
 * not installed.
 */
final class RenderedCopy {

    private final Path copy;
    private final String module;

    private RenderedCopy(Path copy, String module) {
        this.copy = copy;
        this.module = module;
    }

    static RenderedCopy of(Path root, String module, Path into) throws Exception {
        copyTree(root.resolve("pom.xml"), into.resolve("pom.xml"));
        copyTree(root.resolve(".mvn"), into.resolve(".mvn"));
        copyTree(root.resolve("environments"), into.resolve("environments"));
        for (String part : List.of("src/main/config", "src/main/jkube", "src/main/jkube-templates")) {
            copyTree(root.resolve(module).resolve(part), into.resolve(module).resolve(part));
        }
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(root.resolve(module).resolve("pom.xml").toFile());
        Node project = pom.getDocumentElement();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if ("dependencies".equals(child.getNodeName())) {
                project.removeChild(child);
                break;
            }
        }
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        transformer.transform(new DOMSource(pom), new StreamResult(into.resolve(module).resolve("pom.xml").toFile()));
        return new RenderedCopy(into, module);
    }

    /** A file of the copied module, e.g. {@code src/main/config/local/mocha.yaml}. */
    Path file(String path) {
        return copy.resolve(module).resolve(path);
    }

    /** The copy's rendered local manifest. */
    Path localManifest() {
        return file("target/cafe/local/kubernetes.yml");
    }

    /** Renders the copy's local manifest with the root pom's own executions (cafe-environments, JKube's render-local). */
    void render(String log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
                "-o", "-B", "-q", "-Dstyle.color=never",
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
                "-f", copy.resolve(module).resolve("pom.xml").toString(),
                "antrun:run@cafe-environments", "k8s:resource@render-local"));
        Path output = Files.createDirectories(Path.of("target", "play-it")).resolve(log + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().merge("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC", (a, b) -> a + " " + b);
        Process process = builder.start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("render did not finish in 4 minutes: " + String.join(" ", command));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("render failed: " + String.join(" ", command) + "\n" + Files.readString(output));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(source, target);
                }
            }
        }
    }
}
