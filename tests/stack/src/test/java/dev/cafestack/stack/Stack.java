package dev.cafestack.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/** Where things are in the repository, and what the environments say. Read from the files, never restated. */
final class Stack {

    static final Path ROOT = Path.of(System.getProperty("cafe.root", "../..")).toAbsolutePath().normalize();

    private Stack() {
    }

    /** The environment names, in the root pom's order (local, dev, test, prod). */
    static List<String> environments() {
        return Arrays.asList(System.getProperty("cafe.envs", "local,dev,test,prod").split(","));
    }

    /** An environment's values: environments/&lt;env&gt;.properties. */
    static Properties environment(String env) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("environments").resolve(env + ".properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The stack's shared Services (names, namespaces, ports): environments/stack.properties, the same in every environment. */
    static Properties shared() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("environments").resolve("stack.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** Every module that renders Kubernetes manifests: it has JKube fragments in src/main/jkube. */
    static List<Path> manifestModules() {
        try (Stream<Path> walk = Files.walk(ROOT, 6)) {
            List<Path> modules = new ArrayList<>();
            walk.filter(p -> p.endsWith(Path.of("src", "main", "jkube")))
                    .filter(p -> !ROOT.relativize(p).toString().contains("target"))
                    .forEach(p -> modules.add(p.getParent().getParent().getParent()));
            modules.sort(null);
            return modules;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest a module rendered for an environment. */
    static Path rendered(Path module, String env) {
        return module.resolve("target/cafe").resolve(env).resolve("kubernetes.yml");
    }

    static String name(Path module) {
        return ROOT.relativize(module).toString();
    }
}
