package dev.cafestack.observability.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;

/** The rendered manifests of the monitoring workloads: locked down, pinned, sized by the environment, wired to their configs. */
@DisplayName("monitoring manifests")
class MonitoringManifestsTest {

    @TestFactory
    @DisplayName("every workload is locked down: non-root, read-only root, no capabilities, seccomp, requests = limits for memory, probes, pinned image")
    Stream<DynamicTest> workloadsAreLockedDown() {
        return Monitoring.environments().stream().flatMap(env -> templates(env).entrySet().stream().map(e ->
                dynamicTest(env + ": " + e.getKey(), () -> {
                    String at = env + " " + e.getKey();
                    var pod = e.getValue().getSpec();
                    assertThat(e.getValue().getMetadata().getLabels()).as(at).containsKeys("app", "version",
                            "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/component");
                    assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(at).isTrue();
                    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(at).isEqualTo("RuntimeDefault");
                    boolean talksToApi = e.getKey().equals("prometheus") || e.getKey().equals("kube-state-metrics");
                    assertThat(pod.getAutomountServiceAccountToken()).as(at + " API token only where the API is used")
                            .isEqualTo(talksToApi);
                    for (Container c : pod.getContainers()) {
                        assertThat(c.getImage()).as(at).matches("[a-z0-9./-]+:v\\d+\\.\\d+\\.\\d+");
                        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(at).isTrue();
                        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(at).isFalse();
                        assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(at).containsExactly("ALL");
                        assertThat(c.getLivenessProbe()).as(at).isNotNull();
                        assertThat(c.getReadinessProbe()).as(at).isNotNull();
                        Map<String, Quantity> requests = c.getResources().getRequests();
                        Map<String, Quantity> limits = c.getResources().getLimits();
                        assertThat(requests).as(at).containsKeys("cpu", "memory");
                        assertThat(limits).as(at).containsKeys("cpu", "memory");
                        assertThat(requests.get("memory")).as(at).isEqualTo(limits.get("memory"));
                    }
                })));
    }

    @TestFactory
    @DisplayName("Prometheus keeps its data on a claim of the environment's size, for the environment's retention")
    Stream<DynamicTest> prometheusStorage() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            Properties values = Monitoring.environment(env);
            StatefulSet prometheus = Monitoring.one(env, StatefulSet.class, "prometheus");
            assertThat(prometheus.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim ->
                    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
                            .isEqualTo(new Quantity(values.getProperty("prometheus.storage"))));
            assertThat(prometheus.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .contains("--storage.tsdb.retention.time=" + values.getProperty("prometheus.retention"))
                    .noneMatch(a -> a.startsWith("--storage.tsdb.retention="));
        }));
    }

    @TestFactory
    @DisplayName("the ConfigMaps hold the rendered files, and the pods carry their hash")
    Stream<DynamicTest> configMapsHoldTheRenderedFiles() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            ConfigMap prometheus = Monitoring.one(env, ConfigMap.class, "prometheus-config");
            assertThat(prometheus.getData().keySet()).containsExactlyInAnyOrder("prometheus.yml", "cafe.rules.yml",
                    "cluster.rules.yml", "monitoring.rules.yml");
            prometheus.getData().forEach((file, content) ->
                    assertThat(content).as(file).isEqualTo(Monitoring.read(Monitoring.config(env).resolve(file))));
            ConfigMap alertmanager = Monitoring.one(env, ConfigMap.class, "alertmanager-config");
            assertThat(alertmanager.getData().get("alertmanager.yml"))
                    .isEqualTo(Monitoring.read(Monitoring.config(env).resolve("alertmanager.yml")));
            for (String name : List.of("prometheus", "alertmanager")) {
                assertThat(Monitoring.one(env, StatefulSet.class, name).getSpec().getTemplate().getMetadata()
                        .getAnnotations().get("cafe-stack.dev/config-hash")).as(name).matches("[0-9a-f]{64}");
            }
        }));
    }

    @TestFactory
    @DisplayName("node-exporter reads the host's /proc, /sys and / read-only, in its network and PID namespaces")
    Stream<DynamicTest> nodeExporter() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            var pod = Monitoring.one(env, DaemonSet.class, "node-exporter").getSpec().getTemplate().getSpec();
            assertThat(pod.getHostNetwork()).isTrue();
            assertThat(pod.getHostPID()).isTrue();
            Container c = pod.getContainers().get(0);
            assertThat(c.getArgs()).contains("--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root");
            assertThat(c.getVolumeMounts()).filteredOn(m -> m.getMountPath().startsWith("/host/")).hasSize(3)
                    .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue());
        }));
    }

    @TestFactory
    @DisplayName("the ClusterRoles only read, and never Secrets")
    Stream<DynamicTest> clusterRolesOnlyRead() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            List<ClusterRole> roles = kind(env, ClusterRole.class);
            assertThat(roles).extracting(r -> r.getMetadata().getName())
                    .containsExactlyInAnyOrder("prometheus", "kube-state-metrics");
            roles.forEach(role -> role.getRules().forEach(rule -> {
                assertThat(rule.getVerbs()).isSubsetOf("get", "list", "watch");
                assertThat(rule.getResources()).doesNotContain("secrets", "*");
                assertThat(rule.getApiGroups()).doesNotContain("*");
            }));
        }));
    }

    @TestFactory
    @DisplayName("the Prometheus and Alertmanager Services are ClusterIP panels on the ports stack.properties names")
    Stream<DynamicTest> panels() {
        Properties shared = Monitoring.shared();
        return Monitoring.environments().stream().flatMap(env -> Stream.of("prometheus", "alertmanager").map(name ->
                dynamicTest(env + ": " + name, () -> {
                    Service service = Monitoring.one(env, Service.class, shared.getProperty(name + ".service"));
                    assertThat(service.getMetadata().getNamespace()).isEqualTo(shared.getProperty("monitoring.namespace"));
                    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
                    Map<String, String> annotations = service.getMetadata().getAnnotations();
                    assertThat(annotations.get("cafe-stack.dev/panel")).isNotBlank();
                    assertThat(annotations.get("cafe-stack.dev/panel-login")).isNotBlank();
                    ServicePort port = service.getSpec().getPorts().stream()
                            .filter(p -> p.getName().equals(annotations.get("cafe-stack.dev/panel-port"))).findFirst()
                            .orElseThrow();
                    assertThat(port.getPort()).isEqualTo(Integer.valueOf(shared.getProperty(name + ".port")));
                })));
    }

    private static Map<String, PodTemplateSpec> templates(String env) {
        Map<String, PodTemplateSpec> templates = new java.util.TreeMap<>();
        kind(env, StatefulSet.class).forEach(s -> templates.put(s.getMetadata().getName(), s.getSpec().getTemplate()));
        kind(env, Deployment.class).forEach(d -> templates.put(d.getMetadata().getName(), d.getSpec().getTemplate()));
        kind(env, DaemonSet.class).forEach(d -> templates.put(d.getMetadata().getName(), d.getSpec().getTemplate()));
        assertThat(templates.keySet()).containsExactly("alertmanager", "kube-state-metrics", "node-exporter", "prometheus");
        return templates;
    }

    private static <T extends HasMetadata> List<T> kind(String env, Class<T> kind) {
        return Monitoring.resources(env).stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
