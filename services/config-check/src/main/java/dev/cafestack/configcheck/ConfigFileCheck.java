package dev.cafestack.configcheck;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;

/**
 * A service's configuration file ({@code <name>.yaml}, whose keys are under the mapping's prefix), checked the way the
 * service reads it at startup: the same SmallRye mapping (types, required keys, unknown keys refused), Quarkus'
 * duration syntax ({@code 750ms}, {@code 1s}) and the service's own rules for what types cannot say. Every problem
 * starts with the file and ends with the line of the key it names (or of the closest enclosing key that is there).
 *
 * @param <T> the service's {@link ConfigMapping} interface
 */
public final class ConfigFileCheck<T> {

    private final String prefix;
    private final String fileName;
    private final Class<T> mapping;
    private final Function<T, List<String>> rules;
    /** A key of the file as SmallRye and the rules name it: mocha.menu.drinks.flat-white.small, relay.routes[0].robots */
    private final Pattern key;

    /**
     * @param mapping the service's configuration mapping; its prefix names the file ({@code mocha} reads
     *                {@code mocha.yaml})
     * @param rules   the service's rules over a mapped file, each problem starting with the key it is about
     */
    public ConfigFileCheck(Class<T> mapping, Function<T, List<String>> rules) {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null || annotation.prefix().isEmpty()) {
            throw new IllegalArgumentException(mapping.getName() + " is not a @ConfigMapping with a prefix");
        }
        this.prefix = annotation.prefix();
        this.fileName = prefix + ".yaml";
        this.mapping = mapping;
        this.rules = rules;
        this.key = Pattern.compile("\\b" + Pattern.quote(prefix) + "(\\.[^\\s:'\"]+)+");
    }

    /** The file as the service maps it: types, required and unknown keys checked; not the rules. */
    public T read(Path file) throws IOException {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new YamlConfigSource(file.toUri().toURL()))
                // Quarkus' own converter, so "1s" or "250ms" mean at build time what they mean at startup.
                .withConverter(Duration.class, 200, new DurationConverter())
                // The converters on the class path (META-INF/services: the service's own, Quarkus'), as Quarkus
                // registers them for the running service.
                .addDiscoveredConverters()
                .withMapping(mapping)
                .withValidateUnknown(true)
                .build();
        return config.getConfigMapping(mapping);
    }

    /** The problems of one file, each starting with the file's path; empty when the file is good. */
    public List<String> check(Path file) {
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            problems.add(file + ": missing; every environment needs its " + fileName);
            return problems;
        }
        // The mapping's problems, or else the rules': each then gets the line of its key (the file read again for
        // them, so a good file is read once).
        List<String> found = new ArrayList<>();
        try {
            found.addAll(rules.apply(read(file)));
        } catch (ConfigValidationException e) {
            for (int i = 0; i < e.getProblemCount(); i++) {
                found.add(e.getProblem(i).getMessage());
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
        if (!found.isEmpty()) {
            Map<String, Integer> lines = keyLines(file);
            for (String problem : found) {
                problems.add(file + ": " + problem + lineOf(problem, lines));
            }
        }
        return problems;
    }

    /**
     * The build's check: {@code <name>.yaml} of every environment below {@code configDir}. Prints one line per problem
     * and throws (exec:java fails the build with the message) if there is any.
     */
    public void checkEnvironments(Path configDir, String environments) {
        List<String> problems = new ArrayList<>();
        for (String env : environments.split(",")) {
            problems.addAll(check(configDir.resolve(env.trim()).resolve(fileName)));
        }
        String tag = "[" + prefix + " config] ";
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println(tag + p));
            throw new IllegalStateException(prefix + " config is invalid:\n  " + String.join("\n  ", problems));
        }
        System.out.println(tag + "ok: " + environments + " in " + configDir);
    }

    /** What a service's {@code ConfigCheck.main(args)} does with its arguments: {@code <config-dir> <env,env,...>}. */
    public void commandLine(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ConfigCheck <config-dir> <env,env,...> (checks <config-dir>/<env>/" + fileName + ")");
            System.exit(2);
        }
        checkEnvironments(Path.of(args[0]), args[1]);
    }

    /**
     * " (line N)" for the key a problem names, from the key itself or, for a missing key, from the closest enclosing
     * key that is there; empty when the problem names no key of the file.
     */
    String lineOf(String problem, Map<String, Integer> lines) {
        Matcher m = key.matcher(problem);
        if (!m.find()) {
            return "";
        }
        String name = m.group().replaceAll("[.,;)]+$", "");
        while (!lines.containsKey(name) && name.matches(".*[.\\[].*")) {
            name = name.substring(0, Math.max(name.lastIndexOf('.'), name.lastIndexOf('[')));
        }
        Integer line = lines.get(name);
        return line == null ? "" : " (line " + line + ")";
    }

    /** Every key of a YAML file as a dotted path (list items as {@code [i]}), with the 1-based line it is on. */
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
        } else if (node instanceof SequenceNode sequence) {
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                String path = prefix + "[" + i + "]";
                lines.putIfAbsent(path, items.get(i).getStartMark().getLine() + 1);
                collect(items.get(i), path, lines);
            }
        }
    }

    /** A message on one line: YAML's span several. */
    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
