package dev.cafestack.relay.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;

/**
 * Checks relay.yaml files the way the relay does at startup: the same SmallRye mapping (types, required and unknown
 * keys) and the same {@link ConfigRules}. Used by the build for every environment's file, and by tests.
 *
 * <pre>java dev.cafestack.relay.config.ConfigCheck &lt;config-dir&gt; &lt;env,env,...&gt;</pre>
 */
public final class ConfigCheck {

    private ConfigCheck() {
    }

    /** The problems of one file, each prefixed with the file's path; empty when the file is good. */
    public static List<String> check(Path file) {
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            problems.add(file + ": missing; every environment needs its relay.yaml");
            return problems;
        }
        try {
            for (String problem : ConfigRules.problems(read(file))) {
                problems.add(file + ": " + problem);
            }
        } catch (ConfigValidationException e) {
            for (int i = 0; i < e.getProblemCount(); i++) {
                problems.add(file + ": " + e.getProblem(i).getMessage());
            }
        } catch (IOException e) {
            problems.add(file + ": cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            // YAML syntax errors arrive here with the line and column of the fault.
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            String message = cause.getMessage() != null ? cause.getMessage() : e.toString();
            problems.add(file + ": " + message.replaceAll("\\s*\\n\\s*", " ").trim());
        }
        return problems;
    }

    /** The file as the relay maps it (types, required and unknown keys checked; not the rules). */
    public static RelayConfig read(Path file) throws IOException {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new YamlConfigSource(file.toUri().toURL()))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(RelayConfig.class)
                .withValidateUnknown(true)
                .build();
        return config.getConfigMapping(RelayConfig.class);
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ConfigCheck <config-dir> <env,env,...>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<String> problems = new ArrayList<>();
        for (String env : args[1].split(",")) {
            problems.addAll(check(dir.resolve(env.trim()).resolve("relay.yaml")));
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("[relay config] " + p));
            throw new IllegalStateException("relay config is invalid:\n  " + String.join("\n  ", problems));
        }
        System.out.println("[relay config] ok: " + args[1] + " in " + dir);
    }
}
