package dev.cafestack.mocha.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;

/**
 * Checks mocha.yaml files the way mocha does at startup: the same SmallRye mapping (types, required and unknown
 * keys) and the same {@link ConfigRules}. Used by the build for every environment's file, by the config-only
 * pipeline, and by tests.
 *
 * <pre>java dev.cafestack.mocha.config.ConfigCheck &lt;config-dir&gt; &lt;env,env,...&gt;</pre>
 */
public final class ConfigCheck {

    /** A key of the file as the problems name it: mocha.menu.drinks.flat-white.small */
    private static final Pattern KEY = Pattern.compile("\\bmocha(\\.[^\\s:'\"]+)+");

    private ConfigCheck() {
    }

    /** The problems of one file, each prefixed with the file's path; empty when the file is good. */
    public static List<String> check(Path file) {
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            problems.add(file + ": missing; every environment needs its mocha.yaml");
            return problems;
        }
        try {
            SmallRyeConfig config = new SmallRyeConfigBuilder()
                    .withSources(new YamlConfigSource(file.toUri().toURL()))
                    // Quarkus' own converter, so "1s" or "250ms" mean at build time what they mean at startup.
                    .withConverter(Duration.class, 200, new DurationConverter())
                    .withMapping(MochaConfig.class)
                    .withValidateUnknown(true)
                    .build();
            Map<String, Integer> lines = keyLines(file);
            for (String problem : ConfigRules.problems(config.getConfigMapping(MochaConfig.class))) {
                problems.add(file + ": " + problem + lineOf(problem, lines));
            }
        } catch (ConfigValidationException e) {
            Map<String, Integer> lines = keyLines(file);
            for (int i = 0; i < e.getProblemCount(); i++) {
                String problem = e.getProblem(i).getMessage();
                problems.add(file + ": " + problem + lineOf(problem, lines));
            }
        } catch (IOException e) {
            problems.add(file + ": cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            // YAML syntax errors arrive here with the line and column of the fault.
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            problems.add(file + ": " + oneLine(cause.getMessage() != null ? cause.getMessage() : e.toString()));
        }
        return problems;
    }

    /**
     * Where the key a problem names is in the file: " (line N)", from the key itself or, for a missing key, from the
     * closest enclosing key that is there; empty when the problem names no key of the file.
     */
    static String lineOf(String problem, Map<String, Integer> lines) {
        Matcher m = KEY.matcher(problem);
        if (!m.find()) {
            return "";
        }
        String key = m.group().replaceAll("[.,;)]+$", "");
        while (!lines.containsKey(key) && key.contains(".")) {
            key = key.substring(0, key.lastIndexOf('.'));
        }
        Integer line = lines.get(key);
        return line == null ? "" : " (line " + line + ")";
    }

    /** Every key of a YAML file as a dotted path, with the 1-based line it is written on. */
    static Map<String, Integer> keyLines(Path file) {
        Map<String, Integer> lines = new HashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            collect(new Yaml().compose(reader), "", lines);
        } catch (IOException | RuntimeException e) {
            // unreadable or not YAML: the problems say so without lines
        }
        return lines;
    }

    private static void collect(Node node, String prefix, Map<String, Integer> lines) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key) {
                    String path = prefix.isEmpty() ? key.getValue() : prefix + "." + key.getValue();
                    lines.putIfAbsent(path, key.getStartMark().getLine() + 1);
                    collect(tuple.getValueNode(), path, lines);
                }
            }
        }
    }

    static String oneLine(String message) {
        return message.replaceAll("\\s*\\n\\s*", " ").trim();
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ConfigCheck <config-dir> <env,env,...>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<String> problems = new ArrayList<>();
        for (String env : args[1].split(",")) {
            problems.addAll(check(dir.resolve(env.trim()).resolve("mocha.yaml")));
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("[mocha config] " + p));
            // Fail the build (exec:java turns the exception into a build failure with this message).
            throw new IllegalStateException("mocha config is invalid:\n  " + String.join("\n  ", problems));
        }
        System.out.println("[mocha config] ok: " + args[1] + " in " + dir);
    }

}
