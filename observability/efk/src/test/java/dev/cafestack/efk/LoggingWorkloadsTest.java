package dev.cafestack.efk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The logging namespace's workloads in every environment: locked down, sized, probed; Fluentd highly available in
 * prod; Elasticsearch's nodes, security and lifecycle policy as the environment says; Kibana reachable by port-forward only.
 */
@DisplayName("Logging workloads")
class LoggingWorkloadsTest {

    private static Properties environment(String env) {
        Properties values = new Properties();
        Path root = Path.of(System.getProperty("cafe.root", "../.."));
        try (InputStream in = Files.newInputStream(root.resolve("environments").resolve(env + ".properties"))) {
            values.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    private static List<JsonNode> workloads(Rendered rendered) {
        List<JsonNode> all = new ArrayList<>();
        for (String kind : List.of("Deployment", "StatefulSet", "DaemonSet")) {
            all.addAll(rendered.all(kind));
        }
        return all;
    }

    @TestFactory
    @DisplayName("every container runs locked down (no privilege escalation, no capabilities, read-only root, RuntimeDefault seccomp), sized, probed, pinned")
    Stream<DynamicTest> lockedDown() {
        return Rendered.environments().stream().flatMap(env -> workloads(Rendered.of(env)).stream().map(w ->
                dynamicTest(env + ": " + w.at("/metadata/name").asText(), () -> {
                    String name = w.at("/metadata/name").asText();
                    JsonNode pod = w.at("/spec/template/spec");
                    assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
                    if (name.equals("fluent-bit")) {
                        // Reads the kubelet's root-owned 0640 log files: UID 0, but without any capability.
                        assertThat(pod.path("automountServiceAccountToken").asBoolean()).as("the kubernetes filter reads the API").isTrue();
                    } else {
                        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as("runAsNonRoot").isTrue();
                        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as("no API token").isFalse();
                    }
                    for (JsonNode c : pod.path("containers")) {
                        String at = name + "/" + c.path("name").asText();
                        assertThat(c.has("readinessProbe")).as(at + " readiness").isTrue();
                        if (c.has("ports")) {
                            assertThat(c.has("livenessProbe")).as(at + " serves, so it has a liveness probe").isTrue();
                        }
                    }
                    List<JsonNode> containers = new ArrayList<>();
                    pod.path("containers").forEach(containers::add);
                    pod.path("initContainers").forEach(containers::add);
                    for (JsonNode c : containers) {
                        String at = name + "/" + c.path("name").asText();
                        JsonNode sc = c.path("securityContext");
                        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(at).isFalse();
                        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(at).isTrue();
                        assertThat(sc.at("/capabilities/drop").toString()).as(at).isEqualTo("[\"ALL\"]");
                        assertThat(sc.has("capabilities") && sc.at("/capabilities/add").isMissingNode()).as(at).isTrue();
                        assertThat(c.at("/resources/requests/memory").asText()).as(at + " memory request = limit")
                                .isNotBlank().isEqualTo(c.at("/resources/limits/memory").asText());
                        assertThat(c.at("/resources/limits/cpu").asText()).as(at).isNotBlank();
                        assertThat(c.path("image").asText()).as(at + " pinned to an exact version")
                                .matches(".+:v?\\d+\\.\\d+\\.\\d+[^:]*").doesNotContain(":latest");
                    }
                })));
    }

    @TestFactory
    @DisplayName("Fluentd: at least two replicas in prod, kept up by a PodDisruptionBudget, buffers on a PVC per replica")
    Stream<DynamicTest> fluentdIsAvailable() {
        return Rendered.environments().stream().map(env -> dynamicTest(env, () -> {
            Rendered rendered = Rendered.of(env);
            JsonNode fluentd = rendered.one("StatefulSet", "fluentd");
            int replicas = fluentd.at("/spec/replicas").asInt();
            assertThat(replicas).isEqualTo(Integer.parseInt(environment(env).getProperty("fluentd.replicas")));
            if (env.equals("prod")) {
                assertThat(replicas).isGreaterThanOrEqualTo(2);
            }
            JsonNode pdb = rendered.one("PodDisruptionBudget", "fluentd");
            assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(fluentd.at("/spec/selector/matchLabels"));
            assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
            assertThat(fluentd.at("/spec/volumeClaimTemplates/0/metadata/name").asText()).isEqualTo("buffer");
            assertThat(fluentd.at("/spec/template/spec/serviceAccountName").asText()).isEqualTo("fluentd");
        }));
    }

    @TestFactory
    @DisplayName("only Fluent Bit reaches Fluentd's forward port (NetworkPolicy fluentd-from-fluent-bit)")
    Stream<DynamicTest> onlyFluentBitForwards() {
        return Rendered.environments().stream().map(env -> dynamicTest(env, () -> {
            Rendered rendered = Rendered.of(env);
            JsonNode policy = rendered.one("NetworkPolicy", "fluentd-from-fluent-bit");
            assertThat(policy.at("/spec/podSelector/matchLabels")).isEqualTo(rendered.one("StatefulSet", "fluentd")
                    .at("/spec/selector/matchLabels"));
            List<JsonNode> forwardRules = new ArrayList<>();
            policy.at("/spec/ingress").forEach(rule -> {
                if (rule.path("ports").toString().contains("\"forward\"")) {
                    forwardRules.add(rule);
                }
            });
            assertThat(forwardRules).hasSize(1);
            JsonNode from = forwardRules.get(0).path("from");
            assertThat(from).hasSize(1);
            assertThat(from.get(0).has("namespaceSelector")).as("pods of the logging namespace only").isFalse();
            assertThat(from.get(0).at("/podSelector/matchLabels")).isEqualTo(rendered.one("DaemonSet", "fluent-bit")
                    .at("/spec/selector/matchLabels"));
        }));
    }

    @TestFactory
    @DisplayName("Elasticsearch: the environment's nodes all bootstrap the cluster, security on, logs deleted after the retention")
    Stream<DynamicTest> elasticsearchFollowsTheEnvironment() {
        return Rendered.environments().stream().map(env -> dynamicTest(env, () -> {
            Rendered rendered = Rendered.of(env);
            Properties values = environment(env);
            JsonNode es = rendered.one("StatefulSet", "elasticsearch");
            int nodes = es.at("/spec/replicas").asInt();
            assertThat(nodes).isEqualTo(env.equals("prod") ? 3 : 1);
            Map<String, String> files = rendered.configMap("elasticsearch-config");
            Map<String, Object> config = Rendered.YAML.readValue(files.get("elasticsearch.yml"), Map.class);
            List<String> masters = List.of(String.valueOf(config.get("cluster.initial_master_nodes")).split(","));
            assertThat(masters).hasSize(nodes).allMatch(m -> m.matches("elasticsearch-[0-" + (nodes - 1) + "]"));
            assertThat(config).containsEntry("xpack.security.enabled", true)
                    .containsEntry("xpack.security.http.ssl.enabled", true)
                    .containsEntry("xpack.security.transport.ssl.enabled", true);
            assertThat(files.get("setup.sh"))
                    .contains("\"min_age\":\"" + values.getProperty("logging.retention.days") + "d\"")
                    .contains("\"index.lifecycle.name\":\"cafe-logs\"")
                    .contains("\"index_patterns\":[\"cafe-logs-*\"]");
            assertThat(Rendered.secretVariables(rendered.container("StatefulSet", "elasticsearch", "elasticsearch")))
                    .containsEntry("ELASTIC_PASSWORD", "elasticsearch-credentials/elastic");
            JsonNode setup = rendered.container("StatefulSet", "elasticsearch", "setup");
            assertThat(setup.path("command").toString()).as("the setup container runs setup.sh").contains("/setup/setup.sh");
            assertThat(Rendered.secretVariables(setup)).containsOnlyKeys("ELASTIC_PASSWORD", "FLUENTD_PASSWORD",
                    "JAEGER_PASSWORD", "KIBANA_PASSWORD");
        }));
    }

    @TestFactory
    @DisplayName("Kibana and Elasticsearch are ClusterIP only; Kibana's Service carries the panel annotations")
    Stream<DynamicTest> kibanaIsAPanel() {
        return Rendered.environments().stream().map(env -> dynamicTest(env, () -> {
            Rendered rendered = Rendered.of(env);
            for (JsonNode service : rendered.all("Service")) {
                assertThat(service.at("/spec/type").asText()).isEqualTo("ClusterIP");
            }
            JsonNode kibana = rendered.one("Service", "kibana");
            JsonNode annotations = kibana.at("/metadata/annotations");
            assertThat(annotations.path("cafe-stack.dev/panel").asText()).isEqualTo("Kibana");
            String port = annotations.path("cafe-stack.dev/panel-port").asText();
            assertThat(kibana.at("/spec/ports/0/name").asText()).isEqualTo(port);
            assertThat(annotations.path("cafe-stack.dev/panel-login").asText()).contains("elasticsearch-credentials");
            assertThat(Set.of("/app/discover")).contains(annotations.path("cafe-stack.dev/panel-path").asText());
        }));
    }
}
