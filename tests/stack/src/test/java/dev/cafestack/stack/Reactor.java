package dev.cafestack.stack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import dev.cafestack.tests.goals.NestedMaven;

/** The repository as the build left it: modules (in deployment order), environments, rendered manifests. */
final class Reactor {

    private static final String GROUP = "dev.cafestack";

    private Reactor() {
    }

    /** The root pom's modules, in reactor (= deployment) order. */
    static List<String> modules() {
        return childTexts(pom(NestedMaven.root()), "modules", "module");
    }

    /** Modules with Kubernetes fragments (src/main/jkube): the ones that render, apply and undeploy. */
    static List<String> modulesWithManifests() {
        return modules().stream()
                .filter(module -> Files.isDirectory(NestedMaven.root().resolve(module).resolve("src/main/jkube")))
                .toList();
    }

    /** What the build rendered for {@code env} in {@code module}: what {@code k8s:apply -P env} applies there. */
    static Path renderedManifest(String module, String env) {
        return NestedMaven.root().resolve(module).resolve("target/cafe").resolve(env).resolve("kubernetes.yml");
    }

    static Properties environment(String env) {
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(
                NestedMaven.root().resolve("environments").resolve(env + ".properties"), StandardCharsets.UTF_8)) {
            values.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    /**
     * Reactor modules that modules with manifests depend on (cafe-api). Maven 3.8 resolves a bare goal's
     * dependencies (k8s:apply resolves compile+runtime) from the local repository, never from another module's
     * target/ (only if that module ran its compile phase in the same run); see README.md.
     */
    static Set<String> librariesOfModulesWithManifests() {
        Set<String> artifactIds = new LinkedHashSet<>();
        for (String module : modulesWithManifests()) {
            Element project = pom(NestedMaven.root().resolve(module));
            for (Element dependencies : children(project, "dependencies")) {
                for (Element dependency : children(dependencies, "dependency")) {
                    if (GROUP.equals(text(dependency, "groupId"))) {
                        artifactIds.add(text(dependency, "artifactId"));
                    }
                }
            }
        }
        Set<String> libraries = new LinkedHashSet<>();
        for (String module : modules()) {
            if (artifactIds.contains(text(pom(NestedMaven.root().resolve(module)), "artifactId"))) {
                libraries.add(module);
            }
        }
        return libraries;
    }

    static String artifactId(String module) {
        return text(pom(NestedMaven.root().resolve(module)), "artifactId");
    }

    private static Element pom(Path moduleDir) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(false);
            return factory.newDocumentBuilder().parse(moduleDir.resolve("pom.xml").toFile()).getDocumentElement();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read " + moduleDir.resolve("pom.xml"), e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                result.add(element);
            }
        }
        return result;
    }

    private static List<String> childTexts(Element parent, String container, String name) {
        return children(parent, container).stream()
                .flatMap(element -> children(element, name).stream())
                .map(element -> element.getTextContent().trim())
                .toList();
    }

    private static String text(Element parent, String name) {
        return children(parent, name).stream().findFirst().map(e -> e.getTextContent().trim()).orElse(null);
    }
}
