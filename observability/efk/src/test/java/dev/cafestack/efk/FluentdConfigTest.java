package dev.cafestack.efk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafestack.efk.FluentdPlugins.Role;
import dev.cafestack.efk.FluentdYaml.FluentString;
import dev.cafestack.efk.FluentdYaml.Include;

/**
 * The Fluentd aggregator's configuration as rendered for each environment (ConfigMap fluentd-config, Fluentd's YAML
 * format): read the way Fluentd reads it — from the file each container is started with, following every !include —
 * and checked: every plugin is one its container's image ships, every buffer is a file buffer on the PVC that blocks
 * when full, every credential comes from a Secret, and the environment's outputs are the ones it asks for.
 */
@DisplayName("Fluentd configuration")
class FluentdConfigTest {

    private static final Pattern CREDENTIAL_KEY = Pattern.compile("(?i).*(password|shared_key|secret|key_id|sec_key|token).*");

    record Plugin(String container, Role role, String type, Map<String, Object> body) {
    }

    /** One container's configuration: the plugins it runs, and the included files it read. */
    record Container(String name, String image, JsonNode spec, List<Plugin> plugins, List<String> included) {
    }

    static List<Container> containers(Rendered rendered) {
        Map<String, String> files = rendered.configMap("fluentd-config");
        List<Container> containers = new ArrayList<>();
        for (JsonNode c : rendered.one("StatefulSet", "fluentd").at("/spec/template/spec/containers")) {
            String name = c.path("name").asText();
            List<String> command = new ArrayList<>();
            c.path("command").forEach(a -> command.add(a.asText()));
            String config = command.get(command.indexOf("--config") + 1);
            String mount = rendered.mountPathOf("StatefulSet", "fluentd", name, "fluentd-config");
            assertThat(config).as(name + " reads its config from the ConfigMap").startsWith(mount + "/");
            assertThat(command).as("the YAML format").containsSubsequence("--config-file-type", "yaml");
            String file = config.substring(mount.length() + 1);
            assertThat(files).as(rendered.env() + ": " + name + "'s config file").containsKey(file);
            List<Plugin> plugins = new ArrayList<>();
            List<String> included = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) FluentdYaml.load(files.get(file));
            walk(name, root.get("config"), files, plugins, included);
            containers.add(new Container(name, c.path("image").asText(), c, plugins, included));
        }
        return containers;
    }

    /** The elements of a config list, following !include (each included file is itself a list). */
    @SuppressWarnings("unchecked")
    private static List<Object> elements(Object list, Map<String, String> files, List<String> included) {
        List<Object> out = new ArrayList<>();
        if (list instanceof Include include) {
            for (String name : include.names()) {
                assertThat(files).as("!include " + include.pattern() + " names " + name).containsKey(name);
                included.add(name);
                out.addAll(elements(FluentdYaml.load(files.get(name)), files, included));
            }
        } else if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Include) {
                    out.addAll(elements(item, files, included));
                } else {
                    out.add(item);
                }
            }
        } else if (list != null) {
            throw new AssertionError("not a list of sections: " + list);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void walk(String container, Object config, Map<String, String> files, List<Plugin> plugins, List<String> included) {
        for (Object element : elements(config, files, included)) {
            Map<String, Object> section = (Map<String, Object>) element;
            section.forEach((key, value) -> {
                switch (key) {
                    case "source" -> plugin(container, Role.SOURCE, (Map<String, Object>) value, files, plugins, included);
                    case "match" -> plugin(container, Role.OUTPUT, (Map<String, Object>) value, files, plugins, included);
                    case "filter" -> plugin(container, Role.FILTER, (Map<String, Object>) value, files, plugins, included);
                    case "label", "worker" -> walk(container, ((Map<String, Object>) value).get("config"), files, plugins, included);
                    default -> throw new AssertionError("unknown section " + key);
                }
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static void plugin(String container, Role role, Map<String, Object> body, Map<String, String> files,
            List<Plugin> plugins, List<String> included) {
        plugins.add(new Plugin(container, role, String.valueOf(body.get("$type")), body));
        body.forEach((key, value) -> {
            switch (key) {
                case "buffer" -> plugin(container, Role.BUFFER, (Map<String, Object>) value, files, plugins, included);
                case "format" -> plugin(container, Role.FORMAT, (Map<String, Object>) value, files, plugins, included);
                case "parse" -> plugin(container, Role.PARSE, (Map<String, Object>) value, files, plugins, included);
                case "store" -> elements(value, files, included)
                        .forEach(s -> plugin(container, Role.OUTPUT, (Map<String, Object>) s, files, plugins, included));
                default -> { }
            }
        });
    }

    private static Stream<DynamicTest> each(String what, Check check) {
        return Rendered.environments().stream().map(env -> dynamicTest(env + ": " + what, () -> {
            Rendered rendered = Rendered.of(env);
            check.run(rendered, containers(rendered));
        }));
    }

    interface Check {
        void run(Rendered rendered, List<Container> containers) throws Exception;
    }

    @TestFactory
    @DisplayName("every @type is a plugin that its container's pinned image ships")
    Stream<DynamicTest> pluginsAreShipped() {
        return each("plugins", (rendered, containers) -> {
            for (Container c : containers) {
                assertThat(c.plugins()).as(c.name()).isNotEmpty();
                for (Plugin p : c.plugins()) {
                    assertThat(FluentdPlugins.shipped(c.image(), p.role()))
                            .as(rendered.env() + " " + c.name() + " (" + c.image() + ") " + p.role() + " @type").contains(p.type());
                }
            }
        });
    }

    @TestFactory
    @DisplayName("every output buffers in files on the PVC, with its own path, retrying with backoff and blocking rather than dropping when full")
    Stream<DynamicTest> buffersAreFiles() {
        return each("buffers", (rendered, containers) -> {
            Set<String> paths = new HashSet<>();
            for (Container c : containers) {
                String pvc = null;
                for (JsonNode m : c.spec().path("volumeMounts")) {
                    if ("buffer".equals(m.path("name").asText())) {
                        pvc = m.path("mountPath").asText();
                    }
                }
                assertThat(pvc).as(c.name() + " mounts the buffer PVC").isNotNull();
                for (Plugin p : c.plugins()) {
                    if (p.role() == Role.OUTPUT && !Set.of("copy", "relabel", "null", "stdout").contains(p.type())) {
                        assertThat(p.body()).as(p.type() + " has a buffer").containsKey("buffer");
                    }
                    if (p.role() != Role.BUFFER) {
                        continue;
                    }
                    Map<String, Object> b = p.body();
                    assertThat(p.type()).as("a file buffer").isEqualTo("file");
                    assertThat(String.valueOf(b.get("path"))).as("on the PVC").startsWith(pvc + "/");
                    assertThat(paths.add(c.name() + ":" + b.get("path"))).as("one path per buffer").isTrue();
                    assertThat(b).containsEntry("overflow_action", "block").containsEntry("retry_type", "exponential_backoff")
                            .containsKey("total_limit_size");
                    assertThat(b.get("retry_forever")).isEqualTo(true);
                }
            }
        });
    }

    @TestFactory
    @DisplayName("no credential is written in the config: each is read from an environment variable that a Secret sets")
    Stream<DynamicTest> credentialsComeFromSecrets() {
        return each("credentials", (rendered, containers) -> {
            int checked = 0;
            for (Container c : containers) {
                Map<String, String> fromSecrets = Rendered.secretVariables(c.spec());
                for (Plugin p : c.plugins()) {
                    checked += credentials(p.body(), fromSecrets, rendered.env() + " " + c.name() + " " + p.type());
                }
            }
            assertThat(checked).as("the shared key and the Elasticsearch password were found").isGreaterThanOrEqualTo(2);
        });
    }

    @SuppressWarnings("unchecked")
    private static int credentials(Map<String, Object> body, Map<String, String> fromSecrets, String at) {
        int found = 0;
        for (Map.Entry<String, Object> e : body.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> nested) {
                found += credentials((Map<String, Object>) nested, fromSecrets, at + " " + e.getKey());
            } else if (CREDENTIAL_KEY.matcher(e.getKey()).matches()) {
                assertThat(e.getValue()).as(at + " " + e.getKey() + " is #{ENV['...']}, not a literal").isInstanceOf(FluentString.class);
                String variable = ((FluentString) e.getValue()).environmentVariable();
                assertThat(fromSecrets).as(at + " " + e.getKey() + " comes from a Secret").containsKey(variable);
                found++;
            }
        }
        return found;
    }

    @TestFactory
    @DisplayName("the environment's outputs are copied to: Elasticsearch over https without _type, and the S3 archive only where asked")
    Stream<DynamicTest> outputsFollowTheEnvironment() {
        return each("outputs", (rendered, containers) -> {
            Container fluentd = containers.stream().filter(c -> c.name().equals("fluentd")).findFirst().orElseThrow();
            List<String> stores = fluentd.plugins().stream().filter(p -> p.role() == Role.OUTPUT && !p.type().equals("copy"))
                    .map(Plugin::type).toList();
            boolean archive = fluentd.included().contains("store-archive.yaml");
            assertThat(fluentd.included()).contains("store-elasticsearch.yaml");
            assertThat(stores).containsExactlyInAnyOrderElementsOf(archive ? List.of("elasticsearch", "forward") : List.of("elasticsearch"));

            Plugin es = fluentd.plugins().stream().filter(p -> p.type().equals("elasticsearch")).findFirst().orElseThrow();
            assertThat(String.valueOf(es.body().get("hosts"))).startsWith("https://");
            assertThat(es.body()).containsEntry("suppress_type_name", true).containsEntry("ssl_verify", true)
                    .doesNotContainKey("type_name").containsEntry("logstash_format", true);
            assertThat(String.valueOf(es.body().get("ca_file"))).startsWith("/fluentd/certs/");

            Map<String, Object> forward = fluentd.plugins().stream().filter(p -> p.role() == Role.SOURCE && p.type().equals("forward"))
                    .findFirst().orElseThrow().body();
            JsonNode service = rendered.one("Service", "fluentd");
            assertThat(forward.get("port")).as("the Service's port reaches the forward input")
                    .isEqualTo(service.at("/spec/ports/0/port").asInt());
            assertThat(forward).containsKey("security");

            Container archiver = containers.stream().filter(c -> c.name().equals("archive")).findFirst().orElseThrow();
            Plugin s3 = archiver.plugins().stream().filter(p -> p.type().equals("s3")).findFirst().orElseThrow();
            if (archive) {
                assertThat(String.valueOf(s3.body().get("s3_bucket"))).as("an archive needs a bucket").isNotBlank();
                assertThat(String.valueOf(s3.body().get("path"))).startsWith("cafe-logs/" + rendered.env() + "/");
                assertThat(s3.body()).doesNotContainKeys("aws_key_id", "aws_sec_key");
            }
        });
    }
}
