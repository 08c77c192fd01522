package dev.cafestack.efk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** What this module rendered for an environment (target/cafe/&lt;env&gt;/kubernetes.yml), read as plain trees. */
final class Rendered {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path TARGET = Path.of("target/cafe");

    private final String env;
    private final List<JsonNode> items = new ArrayList<>();

    private Rendered(String env) {
        this.env = env;
        Path file = TARGET.resolve(env).resolve("kubernetes.yml");
        try {
            YAML.readTree(file.toFile()).path("items").forEach(items::add);
        } catch (IOException e) {
            throw new UncheckedIOException(file + " (run mvn package first)", e);
        }
    }

    static Rendered of(String env) {
        return new Rendered(env);
    }

    /** The environment names of the root pom (cafe.envs). */
    static List<String> environments() {
        return Arrays.asList(System.getProperty("cafe.envs", "local,dev,test,prod").split(","));
    }

    static String file(String env) {
        try {
            return Files.readString(TARGET.resolve(env).resolve("kubernetes.yml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String env() {
        return env;
    }

    JsonNode one(String kind, String name) {
        return items.stream().filter(i -> kind.equals(i.path("kind").asText()) && name.equals(i.at("/metadata/name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError(env + ": no " + kind + " " + name + " rendered"));
    }

    List<JsonNode> all(String kind) {
        return items.stream().filter(i -> kind.equals(i.path("kind").asText())).toList();
    }

    /** A ConfigMap's files (its data). */
    Map<String, String> configMap(String name) {
        return YAML.convertValue(one("ConfigMap", name).path("data"), YAML.getTypeFactory()
                .constructMapType(Map.class, String.class, String.class));
    }

    /** A container of a workload's pod template. */
    JsonNode container(String kind, String workload, String container) {
        for (JsonNode c : one(kind, workload).at("/spec/template/spec/containers")) {
            if (container.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError(env + ": " + kind + " " + workload + " has no container " + container);
    }

    /** Where a container mounts the ConfigMap of this name. */
    String mountPathOf(String kind, String workload, String container, String configMap) {
        JsonNode pod = one(kind, workload).at("/spec/template/spec");
        String volume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (configMap.equals(v.at("/configMap/name").asText())) {
                volume = v.path("name").asText();
            }
        }
        for (JsonNode m : container(kind, workload, container).path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError(env + ": " + workload + "/" + container + " does not mount the ConfigMap " + configMap);
    }

    /** The environment variables a container gets from a Secret: name -> "secret/key". */
    static Map<String, String> secretVariables(JsonNode container) {
        Map<String, String> vars = new java.util.HashMap<>();
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                vars.put(e.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        }
        return vars;
    }
}
