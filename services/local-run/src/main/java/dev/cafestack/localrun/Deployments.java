package dev.cafestack.localrun;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * How the services run in an environment, read from the sources the images and pods get it from, never restated:
 * the JVM flags of the image entrypoint (the root pom's Jib configuration, with the service pom's properties) and each
 * container's environment and resource limits (the Deployment as the build renders it,
 * {@code services/<service>/target/cafe/<env>/kubernetes.yml}).
 */
public final class Deployments {

    private Deployments() {
    }

    /** One container as its Deployment runs it. */
    public record Container(String service, Map<String, String> env, Map<String, String> fromFields, String memoryLimit,
            String cpuLimit, Map<String, Map<String, String>> configMapMounts) {

        /**
         * Writes the ConfigMaps the container mounts under {@code dir} (one folder per mount path) and returns its
         * environment with every value under a mount path pointing into that folder instead.
         */
        public Map<String, String> envWithMountsUnder(Path dir) {
            Map<String, String> out = new LinkedHashMap<>(env);
            configMapMounts.forEach((mountPath, files) -> {
                Path local = dir.resolve(mountPath.replaceAll("^/+", ""));
                try {
                    Files.createDirectories(local);
                    for (Map.Entry<String, String> file : files.entrySet()) {
                        Files.writeString(local.resolve(file.getKey()), file.getValue());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.replaceAll((name, value) -> value.equals(mountPath) || value.startsWith(mountPath + "/")
                        ? local + value.substring(mountPath.length()) : value);
            });
            return out;
        }

        /**
         * The environment the container has in a pod, for a JVM run outside one: the image's environment, then the
         * Deployment's env over it (ConfigMap mounts written under {@code mountsDir}, see {@link #envWithMountsUnder}),
         * and the fields the pod would fill in ({@code metadata.name} is {@code podName}). Outside a pod the JVM listens
         * on the loopback interface only and stops without the pod's drain window (the wait for its endpoints' removal):
         * the window's switch is fixed at build time (on in the images), its length is not.
         */
        public Map<String, String> localEnvironment(Map<String, String> imageEnv, Path mountsDir, String podName) {
            Map<String, String> out = new LinkedHashMap<>(imageEnv);
            out.putAll(envWithMountsUnder(mountsDir));
            fromFields.forEach((name, field) -> out.put(name, field.equals("metadata.name") ? podName : field));
            out.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            out.put("QUARKUS_SHUTDOWN_DELAY", "0s");
            return out;
        }

        /** The memory limit in bytes (Kubernetes quantity: Ki, Mi, Gi, or plain bytes). */
        public long memoryLimitBytes() {
            Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|)").matcher(memoryLimit);
            if (!m.matches()) {
                throw new IllegalStateException(service + ": memory limit '" + memoryLimit + "' is not <n>Ki|Mi|Gi");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "Ki" -> n << 10;
                case "Mi" -> n << 20;
                case "Gi" -> n << 30;
                default -> n;
            };
        }

        /** The CPU limit as whole processors, as the JVM rounds a CFS quota (at least 1). */
        public int cpus() {
            double cpus = cpuLimit.endsWith("m") ? Double.parseDouble(cpuLimit.substring(0, cpuLimit.length() - 1)) / 1000
                    : Double.parseDouble(cpuLimit);
            return (int) Math.max(1, Math.ceil(cpus));
        }
    }

    /**
     * What a service's image runs with: the entrypoint's JVM options (the arguments between {@code java} and
     * {@code -jar}) and the environment it sets ({@code <container><environment>}), properties resolved as Maven
     * resolves them for the service. {@code pom} is the service's own pom (or the root's): the Jib configuration is the
     * nearest one up its parents (the root pom's), and a property the service's pom sets wins over its parents' (e.g.
     * a young generation sized for that service). The pom and its parents are read once for both.
     */
    public static Image image(Path pom) {
        ImageConfig image = ImageConfig.of(pom);
        List<String> args = new ArrayList<>();
        NodeList argNodes = first(image.container(), "entrypoint").getElementsByTagName("arg");
        for (int a = 0; a < argNodes.getLength(); a++) {
            args.add(image.resolve(argNodes.item(a).getTextContent().trim()));
        }
        int jar = args.indexOf("-jar");
        if (args.isEmpty() || !args.get(0).equals("java") || jar < 0) {
            throw new IllegalStateException(pom + ": the Jib entrypoint is not 'java <flags> -jar <jar>': " + args);
        }
        Map<String, String> env = new LinkedHashMap<>();
        Element environment = first(image.container(), "environment");
        for (Node n = environment == null ? null : environment.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                env.put(e.getTagName(), image.resolve(e.getTextContent().trim()));
            }
        }
        return new Image(List.copyOf(args.subList(1, jar)), Collections.unmodifiableMap(env));
    }

    /** A service image's JVM options and environment, as its Jib configuration gives them. */
    public record Image(List<String> jvmFlags, Map<String, String> environment) {
    }

    /**
     * The Jib container configuration a service's image gets, with the properties to resolve it: read from the pom
     * and its parents on disk (each {@code <parent>}'s relativePath, Maven's default ../pom.xml), each parsed once.
     */
    private record ImageConfig(Path pom, Element container, Map<String, String> properties) {

        private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

        static ImageConfig of(Path pom) {
            List<Element> projects = new ArrayList<>(); // nearest first
            List<Path> seen = new ArrayList<>();
            for (Path at = pom.toAbsolutePath().normalize(); at != null; ) {
                if (seen.contains(at)) {
                    throw new IllegalStateException(pom + ": its parents form a loop at " + at);
                }
                seen.add(at);
                Element project = xml(at).getDocumentElement();
                projects.add(project);
                Element parent = first(project, "parent");
                Element relative = first(parent, "relativePath");
                String path = parent == null ? "" : relative == null ? "../pom.xml" : relative.getTextContent().trim();
                Path next = path.isEmpty() ? null : at.resolveSibling(path).normalize();
                if (next != null && Files.isDirectory(next)) {
                    next = next.resolve("pom.xml");
                }
                at = next != null && Files.isRegularFile(next) ? next : null;
            }
            // A nearer pom's property wins.
            Map<String, String> properties = new LinkedHashMap<>();
            for (int p = projects.size() - 1; p >= 0; p--) {
                Element props = first(projects.get(p), "properties");
                for (Node n = props == null ? null : props.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element e) {
                        properties.put(e.getTagName(), e.getTextContent().trim());
                    }
                }
            }
            return new ImageConfig(pom, jibContainer(pom, projects), properties);
        }

        private static Element jibContainer(Path pom, List<Element> projects) {
            for (Element project : projects) {
                NodeList plugins = project.getElementsByTagName("plugin");
                for (int i = 0; i < plugins.getLength(); i++) {
                    Element plugin = (Element) plugins.item(i);
                    Element artifact = first(plugin, "artifactId");
                    Element container = first(first(plugin, "configuration"), "container");
                    if (artifact != null && artifact.getTextContent().trim().equals("jib-maven-plugin")
                            && container != null && first(container, "entrypoint") != null) {
                        return container;
                    }
                }
            }
            throw new IllegalStateException(pom.toAbsolutePath().normalize() + " and its parents have no jib-maven-plugin "
                    + "configuration with a container entrypoint");
        }

        /** {@code ${name}} replaced by the property's value. */
        String resolve(String text) {
            Matcher m = PROPERTY.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = properties.get(m.group(1));
                if (value == null) {
                    throw new IllegalStateException("the Jib entrypoint uses ${" + m.group(1) + "}, which neither " + pom
                            + " nor its parents define: set it in <properties>");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            return m.appendTail(out).toString();
        }
    }

    /** The named container of the first Deployment in a rendered manifest that runs it. */
    @SuppressWarnings("unchecked")
    public static Container container(Path manifest, String service) {
        if (!Files.isRegularFile(manifest)) {
            throw new IllegalStateException(manifest + " is missing: package the service first "
                    + "(./mvnw -o -pl services/" + service + " -am package -DskipTests)");
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        try (InputStream in = Files.newInputStream(manifest)) {
            for (Object document : new Yaml(new LoaderOptions()).loadAll(in)) {
                if (document instanceof Map<?, ?> resource) {
                    if ("List".equals(resource.get("kind")) && resource.get("items") instanceof List<?> items) {
                        items.forEach(item -> resources.add((Map<String, Object>) item));
                    } else {
                        resources.add((Map<String, Object>) resource);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
        for (Map<String, Object> resource : resources) {
            if ("ConfigMap".equals(resource.get("kind"))) {
                Map<String, String> data = new LinkedHashMap<>();
                ((Map<String, Object>) resource.getOrDefault("data", Map.of())).forEach((k, v) -> data.put(k, String.valueOf(v)));
                configMaps.put((String) path(resource, "metadata").get("name"), data);
            }
        }
        {
            for (Map<String, Object> resource : resources) {
                if (!"Deployment".equals(resource.get("kind"))) {
                    continue;
                }
                Map<String, Object> spec = path(resource, "spec", "template", "spec");
                for (Map<String, Object> container : (List<Map<String, Object>>) spec.get("containers")) {
                    if (!service.equals(container.get("name"))) {
                        continue;
                    }
                    Map<String, String> env = new LinkedHashMap<>();
                    Map<String, String> fromFields = new LinkedHashMap<>();
                    for (Map<String, Object> var : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                        String name = (String) var.get("name");
                        if (var.containsKey("value")) {
                            env.put(name, String.valueOf(var.get("value")));
                        } else {
                            Map<String, Object> field = path(var, "valueFrom", "fieldRef");
                            fromFields.put(name, field == null ? "?" : String.valueOf(field.get("fieldPath")));
                        }
                    }
                    Map<String, Object> limits = path(container, "resources", "limits");
                    if (limits == null || !limits.containsKey("memory") || !limits.containsKey("cpu")) {
                        throw new IllegalStateException(manifest + ": container " + service + " has no cpu and memory limits");
                    }
                    Map<String, String> volumeConfigMaps = new LinkedHashMap<>();
                    for (Map<String, Object> volume : (List<Map<String, Object>>) spec.getOrDefault("volumes", List.of())) {
                        Map<String, Object> configMap = path(volume, "configMap");
                        if (configMap != null) {
                            volumeConfigMaps.put((String) volume.get("name"), (String) configMap.get("name"));
                        }
                    }
                    Map<String, Map<String, String>> mounts = new LinkedHashMap<>();
                    for (Map<String, Object> mount : (List<Map<String, Object>>) container.getOrDefault("volumeMounts", List.of())) {
                        String configMap = volumeConfigMaps.get((String) mount.get("name"));
                        if (configMap != null) {
                            if (!configMaps.containsKey(configMap)) {
                                throw new IllegalStateException(manifest + ": " + service + " mounts ConfigMap " + configMap
                                        + ", which the manifest does not hold");
                            }
                            mounts.put((String) mount.get("mountPath"), configMaps.get(configMap));
                        }
                    }
                    return new Container(service, env, fromFields, String.valueOf(limits.get("memory")),
                            String.valueOf(limits.get("cpu")), mounts);
                }
            }
        }
        throw new IllegalStateException(manifest + " has no Deployment with a container named " + service);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> path(Map<String, Object> map, String... keys) {
        Map<String, Object> at = map;
        for (String key : keys) {
            if (at == null) {
                return null;
            }
            at = (Map<String, Object>) at.get(key);
        }
        return at;
    }

    private static Document xml(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Element first(Element parent, String tag) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }
}
