package dev.cafestack.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Jaeger v2 as rendered for each environment: the configuration the container is started with (config.yaml merged
 * with the storage file its arguments name, as the OpenTelemetry Collector merges several --config files) receives
 * OTLP on the ports of environments/stack.properties, stores in memory or Elasticsearch as the environment says, and the
 * Services reach those ports; the UI is a port-forward-only panel.
 */
@DisplayName("Jaeger")
class JaegerTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = Path.of(System.getProperty("cafe.root", "../.."));

    record Env(String name, Properties values, List<JsonNode> items) {

        static Env of(String name) throws Exception {
            Properties values = new Properties();
            for (String file : List.of(name + ".properties", "stack.properties")) {
                try (InputStream in = Files.newInputStream(ROOT.resolve("environments").resolve(file))) {
                    values.load(in);
                }
            }
            List<JsonNode> items = new ArrayList<>();
            YAML.readTree(Path.of("target/cafe", name, "kubernetes.yml").toFile()).path("items").forEach(items::add);
            return new Env(name, values, items);
        }

        JsonNode one(String kind, String name) {
            return items.stream().filter(i -> kind.equals(i.path("kind").asText()) && name.equals(i.at("/metadata/name").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError(this.name + ": no " + kind + " " + name));
        }

        int port(String key) {
            return Integer.parseInt(values.getProperty(key));
        }

        JsonNode container() {
            return one("Deployment", "jaeger").at("/spec/template/spec/containers/0");
        }

        /** The configuration Jaeger runs with: every --config file, merged in order. */
        JsonNode config() throws Exception {
            JsonNode data = one("ConfigMap", "jaeger-config").path("data");
            String mount = null;
            for (JsonNode m : container().path("volumeMounts")) {
                if ("config".equals(m.path("name").asText())) {
                    mount = m.path("mountPath").asText();
                }
            }
            ObjectNode merged = YAML.createObjectNode();
            for (JsonNode arg : container().path("args")) {
                String file = arg.asText().replaceFirst("^--config=", "");
                assertThat(file).as("a --config file from the ConfigMap").startsWith(mount + "/");
                String key = file.substring(mount.length() + 1);
                assertThat(data.has(key)).as(name + ": " + key + " is in jaeger-config").isTrue();
                merge(merged, YAML.readTree(data.path(key).asText()));
            }
            return merged;
        }
    }

    private static void merge(ObjectNode into, JsonNode from) {
        Iterator<Map.Entry<String, JsonNode>> fields = from.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isObject() && into.path(f.getKey()).isObject()) {
                merge((ObjectNode) into.get(f.getKey()), f.getValue());
            } else {
                into.set(f.getKey(), f.getValue());
            }
        }
    }

    private static int portOf(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private static Stream<DynamicTest> each(Check check) {
        return Arrays.stream(System.getProperty("cafe.envs", "local,dev,test,prod").split(","))
                .map(env -> dynamicTest(env, () -> check.run(Env.of(env))));
    }

    interface Check {
        void run(Env env) throws Exception;
    }

    @TestFactory
    @DisplayName("receives OTLP over gRPC and HTTP on the stack's ports, and the collector Service reaches them")
    Stream<DynamicTest> receivesOtlp() {
        return each(env -> {
            JsonNode config = env.config();
            assertThat(portOf(config.at("/receivers/otlp/protocols/grpc/endpoint").asText())).isEqualTo(env.port("jaeger.otlp-grpc.port"));
            assertThat(portOf(config.at("/receivers/otlp/protocols/http/endpoint").asText())).isEqualTo(env.port("jaeger.otlp-http.port"));
            assertThat(config.at("/service/pipelines/traces/receivers").toString()).isEqualTo("[\"otlp\"]");
            JsonNode service = env.one("Service", env.values().getProperty("jaeger.collector.service"));
            assertThat(service.at("/metadata/namespace").asText()).isEqualTo(env.values().getProperty("tracing.namespace"));
            List<Integer> ports = new ArrayList<>();
            for (JsonNode p : service.at("/spec/ports")) {
                ports.add(p.path("port").asInt());
                String target = p.path("targetPort").asText();
                int containerPort = -1;
                for (JsonNode cp : env.container().path("ports")) {
                    if (cp.path("name").asText().equals(target)) {
                        containerPort = cp.path("containerPort").asInt();
                    }
                }
                assertThat(containerPort).as(p.path("name").asText() + " reaches the same port in the pod").isEqualTo(p.path("port").asInt());
            }
            assertThat(ports).containsExactly(env.port("jaeger.otlp-grpc.port"), env.port("jaeger.otlp-http.port"));
            assertThat(service.at("/spec/ports/0/appProtocol").asText()).isEqualTo("grpc");
        });
    }

    @TestFactory
    @DisplayName("stores in memory (one pod) or in Elasticsearch over https with a password from a Secret, as the environment says")
    Stream<DynamicTest> storesAsTheEnvironmentSays() {
        return each(env -> {
            JsonNode config = env.config();
            String store = config.at("/exporters/jaeger_storage_exporter/trace_storage").asText();
            assertThat(config.at("/extensions/jaeger_query/storage/traces").asText()).isEqualTo(store);
            JsonNode backend = config.at("/extensions/jaeger_storage/backends").path(store);
            String kind = env.values().getProperty("jaeger.storage");
            assertThat(kind).isIn("memory", "elasticsearch");
            assertThat(backend.size()).as("one storage for " + store).isEqualTo(1);
            assertThat(backend.has(kind)).as(env.name() + " stores in " + kind).isTrue();
            if (env.name().equals("prod")) {
                assertThat(kind).isEqualTo("elasticsearch");
            }
            if (env.name().equals("dev")) {
                assertThat(kind).isEqualTo("memory");
            }
            int replicas = env.one("Deployment", "jaeger").at("/spec/replicas").asInt();
            if (kind.equals("memory")) {
                assertThat(replicas).as("traces in memory live in one pod").isEqualTo(1);
            } else {
                JsonNode es = backend.path("elasticsearch");
                assertThat(es.at("/server_urls/0").asText()).startsWith("https://" + env.values().getProperty("elasticsearch.service")
                        + "." + env.values().getProperty("logging.namespace") + ".svc.cluster.local:");
                assertThat(es.at("/auth/basic/password").asText()).isEqualTo("${env:ELASTICSEARCH_PASSWORD}");
                assertThat(es.at("/tls/ca_file").asText()).startsWith("/etc/jaeger/certs/");
                JsonNode password = null;
                for (JsonNode e : env.container().path("env")) {
                    if ("ELASTICSEARCH_PASSWORD".equals(e.path("name").asText())) {
                        password = e;
                    }
                }
                assertThat(password).isNotNull();
                assertThat(password.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("elasticsearch-jaeger");
            }
        });
    }

    @TestFactory
    @DisplayName("the query UI and API are a ClusterIP Service with the panel annotations, on the stack's query ports")
    Stream<DynamicTest> queryIsAPanel() {
        return each(env -> {
            JsonNode config = env.config();
            JsonNode query = env.one("Service", env.values().getProperty("jaeger.query.service"));
            assertThat(query.at("/spec/type").asText()).isEqualTo("ClusterIP");
            assertThat(env.one("Service", env.values().getProperty("jaeger.collector.service")).at("/spec/type").asText()).isEqualTo("ClusterIP");
            assertThat(portOf(config.at("/extensions/jaeger_query/http/endpoint").asText())).isEqualTo(env.port("jaeger.query.port"));
            assertThat(portOf(config.at("/extensions/jaeger_query/grpc/endpoint").asText())).isEqualTo(env.port("jaeger.query.grpc-port"));
            List<Integer> ports = new ArrayList<>();
            query.at("/spec/ports").forEach(p -> ports.add(p.path("port").asInt()));
            assertThat(ports).containsExactly(env.port("jaeger.query.port"), env.port("jaeger.query.grpc-port"));
            JsonNode annotations = query.at("/metadata/annotations");
            assertThat(annotations.path("cafe-stack.dev/panel").asText()).isEqualTo("Jaeger");
            assertThat(annotations.path("cafe-stack.dev/panel-port").asText()).isEqualTo(query.at("/spec/ports/0/name").asText());
            assertThat(annotations.has("cafe-stack.dev/panel-login")).isTrue();
        });
    }

    @TestFactory
    @DisplayName("runs locked down: non-root, read-only root, no capabilities, RuntimeDefault seccomp, no API token, probes, pinned image")
    Stream<DynamicTest> lockedDown() {
        return each(env -> {
            JsonNode pod = env.one("Deployment", "jaeger").at("/spec/template/spec");
            JsonNode c = env.container();
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
            assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
            assertThat(c.at("/securityContext/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
            assertThat(c.has("livenessProbe") && c.has("readinessProbe")).isTrue();
            assertThat(c.at("/resources/requests/memory").asText()).isEqualTo(c.at("/resources/limits/memory").asText());
            assertThat(c.path("image").asText()).matches("jaegertracing/jaeger:2\\.\\d+\\.\\d+");
        });
    }
}
