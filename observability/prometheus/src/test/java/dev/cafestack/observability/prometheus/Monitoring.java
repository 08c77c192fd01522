package dev.cafestack.observability.prometheus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Where this module's rendered files are, and the values they were rendered from. Read from the files, never restated. */
final class Monitoring {

    static final Path ROOT = Path.of(System.getProperty("cafe.root", "../..")).toAbsolutePath().normalize();
    static final Path MODULE = ROOT.resolve("observability/prometheus");
    static final List<String> RULE_FILES = List.of("cafe.rules.yml", "cluster.rules.yml", "monitoring.rules.yml");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Monitoring() {
    }

    static List<String> environments() {
        return Arrays.asList(System.getProperty("cafe.envs", "local,dev,test,prod").split(","));
    }

    /** The configuration files the build filled in for an environment (target/cafe-config/&lt;env&gt;/). */
    static Path config(String env) {
        return MODULE.resolve("target/cafe-config").resolve(env);
    }

    static Path manifest(String env) {
        return MODULE.resolve("target/cafe").resolve(env).resolve("kubernetes.yml");
    }

    static List<HasMetadata> resources(String env) {
        try (InputStream in = Files.newInputStream(manifest(env))) {
            return Serialization.unmarshal(in, KubernetesList.class).getItems();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T extends HasMetadata> T one(String env, Class<T> kind, String name) {
        return resources(env).stream().filter(kind::isInstance).map(kind::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(env + ": no " + kind.getSimpleName() + " " + name));
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid YAML", e);
        }
    }

    static Properties shared() {
        return properties(ROOT.resolve("environments/stack.properties"));
    }

    static Properties environment(String env) {
        return properties(ROOT.resolve("environments").resolve(env + ".properties"));
    }

    private static Properties properties(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
