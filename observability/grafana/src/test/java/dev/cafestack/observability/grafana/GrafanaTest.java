package dev.cafestack.observability.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Grafana's rendered manifests and provisioning in every environment: no anonymous access, the admin from a Secret,
 * the stack's Prometheus as datasource, and the dashboards as committed. (Every dashboard query runs against a real
 * Prometheus in tests/stack's MonitoringEndToEndIT.)
 */
@DisplayName("Grafana")
class GrafanaTest {

    static final Path ROOT = Path.of(System.getProperty("cafe.root", "../..")).toAbsolutePath().normalize();
    static final Path MODULE = ROOT.resolve("observability/grafana");
    static final List<String> DASHBOARDS = List.of("cafe-red.json", "jvm.json", "node.json");
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<String> environments() {
        return Arrays.asList(System.getProperty("cafe.envs", "local,dev,test,prod").split(","));
    }

    @TestFactory
    @DisplayName("no anonymous access, no sign-up; the admin's name and password come from the Secret grafana-admin")
    Stream<DynamicTest> loginIsLockedDown() {
        return environments().stream().map(env -> dynamicTest(env, () -> {
            Map<String, EnvVar> vars = new HashMap<>();
            container(env).getEnv().forEach(v -> vars.put(v.getName(), v));
            assertThat(vars.get("GF_AUTH_ANONYMOUS_ENABLED").getValue()).isEqualTo("false");
            assertThat(vars.get("GF_USERS_ALLOW_SIGN_UP").getValue()).isEqualTo("false");
            for (String name : List.of("GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD")) {
                EnvVar var = vars.get(name);
                assertThat(var.getValue()).as(name + ": no value in the repository").isNull();
                assertThat(var.getValueFrom().getSecretKeyRef().getName()).as(name).isEqualTo("grafana-admin");
            }
            assertThat(vars).doesNotContainKeys("GF_AUTH_ANONYMOUS_ORG_ROLE", "GF_AUTH_DISABLE_LOGIN_FORM");
        }));
    }

    @TestFactory
    @DisplayName("runs locked down, keeps its data and plugins on a claim of the environment's size")
    Stream<DynamicTest> statefulSet() {
        return environments().stream().map(env -> dynamicTest(env, () -> {
            StatefulSet grafana = one(env, StatefulSet.class, "grafana");
            var pod = grafana.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            Container c = container(env);
            assertThat(c.getImage()).matches("docker\\.io/grafana/grafana:\\d+\\.\\d+\\.\\d+");
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getResources().getRequests().get("memory")).isEqualTo(c.getResources().getLimits().get("memory"));
            assertThat(c.getReadinessProbe()).isNotNull();
            assertThat(c.getLivenessProbe()).isNotNull();
            VolumeMount data = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/var/lib/grafana"))
                    .findFirst().orElseThrow();
            assertThat(grafana.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
                assertThat(claim.getMetadata().getName()).isEqualTo(data.getName());
                assertThat(claim.getSpec().getResources().getRequests().get("storage"))
                        .isEqualTo(new Quantity(environment(env).getProperty("grafana.storage")));
            });
            assertThat(grafana.getSpec().getTemplate().getMetadata().getAnnotations().get("cafe-stack.dev/config-hash"))
                    .matches("[0-9a-f]{64}");
        }));
    }

    @TestFactory
    @DisplayName("the datasource is the stack's Prometheus, by the Service name and port of stack.properties")
    Stream<DynamicTest> datasource() {
        Properties shared = properties(ROOT.resolve("environments/stack.properties"));
        return environments().stream().map(env -> dynamicTest(env, () -> {
            ConfigMap provisioning = one(env, ConfigMap.class, "grafana-provisioning");
            JsonNode sources = YAML.readTree(provisioning.getData().get("datasources.yml")).path("datasources");
            assertThat(sources).hasSize(1);
            JsonNode prometheus = sources.get(0);
            assertThat(prometheus.path("type").asText()).isEqualTo("prometheus");
            assertThat(prometheus.path("uid").asText()).isEqualTo("prometheus");
            assertThat(prometheus.path("url").asText()).isEqualTo("http://" + shared.getProperty("prometheus.service")
                    + "." + shared.getProperty("monitoring.namespace") + ".svc:" + shared.getProperty("prometheus.port"));
            assertThat(prometheus.path("editable").asBoolean()).isFalse();
            JsonNode provider = YAML.readTree(provisioning.getData().get("dashboards.yml")).path("providers").get(0);
            String path = provider.path("options").path("path").asText();
            assertThat(container(env).getVolumeMounts()).anyMatch(m -> m.getMountPath().equals(path) && m.getName().equals("dashboards"));
            ConfigMap dashboards = one(env, ConfigMap.class, "grafana-dashboards");
            assertThat(dashboards.getData().keySet()).containsExactlyInAnyOrderElementsOf(DASHBOARDS);
            for (String file : DASHBOARDS) {
                assertThat(dashboards.getData().get(file)).isEqualTo(Files.readString(MODULE.resolve("src/main/config-templates").resolve(file)));
            }
        }));
    }

    @TestFactory
    @DisplayName("every dashboard panel queries the provisioned Prometheus and has a title and a description")
    Stream<DynamicTest> dashboards() {
        return DASHBOARDS.stream().map(file -> dynamicTest(file, () -> {
            JsonNode dashboard = dashboard(file);
            assertThat(dashboard.path("uid").asText()).isNotBlank();
            assertThat(dashboard.path("editable").asBoolean()).isFalse();
            assertThat(dashboard.path("panels")).isNotEmpty();
            for (JsonNode panel : dashboard.path("panels")) {
                String at = file + " " + panel.path("title").asText();
                assertThat(panel.path("title").asText()).as(at).isNotBlank();
                assertThat(panel.path("description").asText()).as(at).isNotBlank();
                assertThat(panel.path("datasource").path("uid").asText()).as(at).isEqualTo("prometheus");
                assertThat(panel.path("targets")).as(at).isNotEmpty();
                panel.path("targets").forEach(t -> assertThat(t.path("expr").asText()).as(at).isNotBlank());
            }
        }));
    }

    @Test
    @DisplayName("the RED dashboard compares versions: a version variable, and every panel split or filtered by version")
    void redDashboardComparesVersions() {
        JsonNode red = dashboard("cafe-red.json");
        List<String> variables = new ArrayList<>();
        red.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).containsExactly("namespace", "app", "version");
        for (JsonNode panel : red.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as(panel.path("title").asText()).contains("app=~\"$app\"");
            }
        }
        long perVersion = 0;
        for (JsonNode panel : red.path("panels")) {
            if (panel.path("targets").get(0).path("expr").asText().contains("version=~\"$version\"")) {
                perVersion++;
                assertThat(panel.path("targets").get(0).path("legendFormat").asText()).contains("{{version}}");
            }
        }
        assertThat(perVersion).isGreaterThanOrEqualTo(8);
    }

    @TestFactory
    @DisplayName("the Grafana Service is a ClusterIP panel with a login hint")
    Stream<DynamicTest> panel() {
        Properties shared = properties(ROOT.resolve("environments/stack.properties"));
        return environments().stream().map(env -> dynamicTest(env, () -> {
            Service service = one(env, Service.class, shared.getProperty("grafana.service"));
            assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(Integer.valueOf(shared.getProperty("grafana.port")));
            Map<String, String> annotations = service.getMetadata().getAnnotations();
            assertThat(annotations).containsEntry("cafe-stack.dev/panel", "Grafana")
                    .containsEntry("cafe-stack.dev/panel-port", service.getSpec().getPorts().get(0).getName());
            assertThat(annotations.get("cafe-stack.dev/panel-login")).contains("grafana-admin");
        }));
    }

    static JsonNode dashboard(String file) {
        try {
            return JSON.readTree(MODULE.resolve("src/main/config-templates").resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Container container(String env) {
        return one(env, StatefulSet.class, "grafana").getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static <T extends HasMetadata> T one(String env, Class<T> kind, String name) {
        try (InputStream in = Files.newInputStream(MODULE.resolve("target/cafe").resolve(env).resolve("kubernetes.yml"))) {
            return Serialization.unmarshal(in, KubernetesList.class).getItems().stream().filter(kind::isInstance)
                    .map(kind::cast).filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(env + ": no " + kind.getSimpleName() + " " + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties environment(String env) {
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
}
