package dev.cafestack.efk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Fluent Bit configuration as rendered for each environment (ConfigMap fluent-bit-config, Fluent Bit's YAML
 * format), parsed and checked for the mistakes that lose logs silently: a file included that does not exist, a parser
 * named that is not defined, a tail tag the kubernetes filter does not recognise, an output matching no input, the
 * Docker-only parser on containerd nodes, and the forward format Fluentd drops.
 */
@DisplayName("Fluent Bit configuration")
class FluentBitConfigTest {

    /** Fluent Bit's built-in multiline parsers (docs.fluentbit.io, administration/configuring-fluent-bit/multiline-parsing). */
    static final Set<String> BUILT_IN_MULTILINE = Set.of("docker", "cri", "go", "python", "java", "ruby");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

    /** The configuration of one environment, with every include merged, keys lower-cased (Fluent Bit ignores case). */
    record Config(Rendered rendered, Map<String, String> files, JsonNode main, List<String> includes,
            List<JsonNode> inputs, List<JsonNode> filters, List<JsonNode> outputs, Set<String> parsers) {

        static Config of(String env) throws Exception {
            Rendered rendered = Rendered.of(env);
            Map<String, String> files = rendered.configMap("fluent-bit-config");
            JsonNode main = lower(Rendered.YAML.readTree(files.get("fluent-bit.yaml")));
            List<String> includes = new ArrayList<>();
            List<JsonNode> documents = new ArrayList<>(List.of(main));
            main.path("includes").forEach(i -> includes.add(i.asText()));
            for (String include : includes) {
                // Relative includes are read from the including file's directory: the ConfigMap's mount.
                String content = files.get(Path.of(include).normalize().toString());
                if (content != null) {
                    documents.add(lower(Rendered.YAML.readTree(content)));
                }
            }
            List<JsonNode> inputs = new ArrayList<>();
            List<JsonNode> filters = new ArrayList<>();
            List<JsonNode> outputs = new ArrayList<>();
            Set<String> parsers = new HashSet<>();
            for (JsonNode doc : documents) {
                doc.at("/pipeline/inputs").forEach(inputs::add);
                doc.at("/pipeline/filters").forEach(filters::add);
                doc.at("/pipeline/outputs").forEach(outputs::add);
                doc.path("parsers").forEach(p -> parsers.add(p.path("name").asText()));
            }
            return new Config(rendered, files, main, includes, inputs, filters, outputs, parsers);
        }

        JsonNode only(List<JsonNode> plugins, String name) {
            List<JsonNode> found = plugins.stream().filter(p -> name.equals(p.path("name").asText())).toList();
            assertThat(found).as(rendered.env() + ": one " + name).hasSize(1);
            return found.get(0);
        }
    }

    static JsonNode lower(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = Rendered.YAML.createObjectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                copy.set(f.getKey().toLowerCase(Locale.ROOT), lower(f.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = Rendered.YAML.createArrayNode();
            node.forEach(n -> copy.add(lower(n)));
            return copy;
        }
        return node;
    }

    static boolean off(JsonNode value) {
        return Set.of("false", "off", "no").contains(value.asText().toLowerCase(Locale.ROOT));
    }

    /** Fluent Bit's tag matching: '*' matches any run of characters. */
    static boolean matches(String pattern, String tag) {
        return tag.matches(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
    }

    /** The tag tail gives a file: the '*' of the Tag replaced by the file's path, '/' turned into '.'. */
    static String tailTag(JsonNode tail, String file) {
        return tail.path("tag").asText().replace("*", file.substring(1).replace('/', '.'));
    }

    private static Stream<DynamicTest> each(String what, ThrowingCheck check) {
        return Rendered.environments().stream().map(env -> dynamicTest(env + ": " + what, () -> check.run(Config.of(env))));
    }

    interface ThrowingCheck {
        void run(Config config) throws Exception;
    }

    @TestFactory
    @DisplayName("every file it includes is in the ConfigMap, and Fluent Bit is started with the mounted main file")
    Stream<DynamicTest> includesResolve() {
        return each("includes", c -> {
            assertThat(c.includes()).isNotEmpty();
            assertThat(c.includes()).allSatisfy(i -> assertThat(c.files()).as("included " + i).containsKey(i));
            String mount = c.rendered().mountPathOf("DaemonSet", "fluent-bit", "fluent-bit", "fluent-bit-config");
            assertThat(c.rendered().container("DaemonSet", "fluent-bit", "fluent-bit").path("args").toString())
                    .contains("--config=" + mount + "/fluent-bit.yaml");
        });
    }

    @TestFactory
    @DisplayName("every parser it names is defined or built in, tail reads docker and cri lines, and no input is tied to `Parser docker`")
    Stream<DynamicTest> parsersResolve() {
        return each("parsers", c -> {
            List<JsonNode> plugins = new ArrayList<>(c.inputs());
            plugins.addAll(c.filters());
            for (JsonNode plugin : plugins) {
                if (plugin.has("parser")) {
                    assertThat(c.parsers()).as(plugin.path("name").asText() + " parser").contains(plugin.path("parser").asText());
                }
                if (plugin.has("multiline.parser")) {
                    for (String name : plugin.path("multiline.parser").asText().split(",")) {
                        assertThat(BUILT_IN_MULTILINE).as("multiline parser " + name).contains(name.trim());
                    }
                }
            }
            JsonNode tail = c.only(c.inputs(), "tail");
            assertThat(tail.path("multiline.parser").asText().split("\\s*,\\s*")).containsExactly("docker", "cri");
            assertThat(tail.has("parser")).as("no single-format `Parser docker`: containerd writes CRI lines").isFalse();
            assertThat(c.inputs()).noneMatch(i -> "docker".equals(i.path("parser").asText()));
            // The CRI line parser the pipeline tests use is the one in parsers.yaml.
            assertThat(c.parsers()).contains("cri", "json");
        });
    }

    @TestFactory
    @DisplayName("the kubernetes filter's Kube_Tag_Prefix is exactly what tail puts before the file name, and it merges the app's JSON")
    Stream<DynamicTest> tagPrefixMatchesTail() {
        return each("tag prefix", c -> {
            JsonNode tail = c.only(c.inputs(), "tail");
            JsonNode kubernetes = c.only(c.filters(), "kubernetes");
            String path = tail.path("path").asText();
            String file = path.substring(0, path.lastIndexOf('/') + 1) + "mocha-6d9f_ecp-cafe_mocha-0123abcd.log";
            String tag = tailTag(tail, file);
            String prefix = kubernetes.path("kube_tag_prefix").asText();
            assertThat(tag).as("a container log's tag").startsWith(prefix);
            assertThat(tag.substring(prefix.length())).as("what the filter parses: <pod>_<namespace>_<container>-<id>.log")
                    .isEqualTo("mocha-6d9f_ecp-cafe_mocha-0123abcd.log");
            assertThat(matches(kubernetes.path("match").asText(), tag)).as("the filter sees the tail's records").isTrue();
            assertThat(kubernetes.path("merge_log").asText()).isIn("on", "true");
            assertThat(off(kubernetes.path("keep_log"))).isTrue();
            assertThat(kubernetes.path("k8s-logging.parser").asText()).isIn("on", "true");
            assertThat(kubernetes.path("k8s-logging.exclude").asText()).isIn("on", "true");
            JsonNode nest = c.only(c.filters(), "nest");
            assertThat(nest.path("operation").asText()).isEqualTo("lift");
            assertThat(nest.path("nested_under").asText()).as("the services' JSON log keeps the trace ids in mdc").isEqualTo("mdc");
            assertThat(matches(nest.path("match").asText(), tag)).isTrue();
            assertThat(tail.path("mem_buf_limit").asText()).isNotBlank();
            assertThat(tail.path("storage.type").asText()).isEqualTo("filesystem");
            assertThat(c.main().at("/service/storage.path").asText()).startsWith("/var/lib/fluent-bit");
        });
    }

    @TestFactory
    @DisplayName("every output matches an input's records, and the forward output keeps the format Fluentd reads")
    Stream<DynamicTest> outputsMatchInputs() {
        return each("outputs", c -> {
            assertThat(c.outputs()).isNotEmpty();
            JsonNode tail = c.only(c.inputs(), "tail");
            String tag = tailTag(tail, "/var/log/containers/x_y_z-1.log");
            for (JsonNode output : c.outputs()) {
                assertThat(matches(output.path("match").asText(), tag)).as(output.path("name").asText() + " matches " + tag).isTrue();
            }
            JsonNode forward = c.only(c.outputs(), "forward");
            assertThat(forward.has("retain_metadata_in_forward_mode")).as("set explicitly (5.0.4+ defaults to true)").isTrue();
            assertThat(off(forward.path("retain_metadata_in_forward_mode"))).as("Fluentd drops records with metadata").isTrue();
            JsonNode service = c.rendered().one("Service", "fluentd");
            assertThat(forward.path("host").asText()).isEqualTo("fluentd." + service.at("/metadata/namespace").asText()
                    + ".svc.cluster.local");
            assertThat(forward.path("port").asInt()).isEqualTo(service.at("/spec/ports/0/port").asInt());
            assertThat(forward.path("require_ack_response").asText()).isIn("true", "on");
        });
    }

    @TestFactory
    @DisplayName("the shared key is a reference to a Secret, and every ${VARIABLE} the config reads is set on the container")
    Stream<DynamicTest> variablesAreSet() {
        return each("variables", c -> {
            JsonNode container = c.rendered().container("DaemonSet", "fluent-bit", "fluent-bit");
            Set<String> defined = new HashSet<>();
            container.path("env").forEach(e -> defined.add(e.path("name").asText()));
            Matcher m = ENV_REFERENCE.matcher(String.join("\n", c.files().values()));
            while (m.find()) {
                assertThat(defined).as("${" + m.group(1) + "}").contains(m.group(1));
            }
            JsonNode forward = c.only(c.outputs(), "forward");
            Matcher key = ENV_REFERENCE.matcher(forward.path("shared_key").asText());
            assertThat(key.matches()).as("shared_key is ${VARIABLE}, not a literal").isTrue();
            assertThat(Rendered.secretVariables(container)).containsEntry(key.group(1), "fluentd-shared-key/shared-key");
        });
    }
}
