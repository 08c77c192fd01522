package dev.cafestack.efk;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads Fluentd's YAML configuration format (Fluentd >= 1.15) keeping its tags: {@code !include pattern} (other files,
 * a glob: Ruby's Dir.glob, so {a,b} alternatives work) and {@code !fluent/s "..."} (a double-quoted Fluentd string,
 * where {@code #{ENV['NAME']}} reads an environment variable when Fluentd starts).
 */
final class FluentdYaml {

    record Include(String pattern) {
        /** The file names the pattern names: {a,b} alternatives expanded (no other glob characters are used). */
        List<String> names() {
            Matcher m = Pattern.compile("\\{([^}]*)}").matcher(pattern);
            if (!m.find()) {
                return List.of(pattern);
            }
            List<String> names = new ArrayList<>();
            for (String alternative : m.group(1).split(",", -1)) {
                names.addAll(new Include(pattern.substring(0, m.start()) + alternative + pattern.substring(m.end())).names());
            }
            return names;
        }
    }

    record FluentString(String value) {
        private static final Pattern ENV = Pattern.compile("#\\{ENV\\['([A-Z_][A-Z0-9_]*)'\\]}");

        /** The environment variable the string is exactly made of, or null. */
        String environmentVariable() {
            Matcher m = ENV.matcher(value);
            return m.matches() ? m.group(1) : null;
        }
    }

    private FluentdYaml() {
    }

    static Object load(String text) {
        SafeConstructor constructor = new SafeConstructor(new LoaderOptions()) {
            {
                yamlConstructors.put(new Tag("!include"), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        return new Include(((ScalarNode) node).getValue());
                    }
                });
                yamlConstructors.put(new Tag("!fluent/s"), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        return new FluentString(((ScalarNode) node).getValue());
                    }
                });
            }
        };
        return new Yaml(constructor).load(text);
    }
}
