package dev.cafestack.stack;

import static dev.cafestack.stack.RenderedManifestsTest.all;
import static dev.cafestack.stack.RenderedManifestsTest.bindingsOf;
import static dev.cafestack.stack.RenderedManifestsTest.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/** platform/cluster's in-cluster basics in every environment: the platform namespaces, Headlamp and metrics-server. */
@DisplayName("Cluster basics")
class ClusterBasicsTest {

    private static final Properties SHARED = Stack.shared();
    private static final List<String> PSA_LEVELS = List.of("privileged", "baseline", "restricted");

    private static List<HasMetadata> cluster(String env) {
        return StrictManifests.read(Stack.rendered(Stack.ROOT.resolve("platform/cluster"), env));
    }

    @TestFactory
    @DisplayName("the monitoring, logging and tracing namespaces are rendered by platform/cluster alone, with Pod Security labels")
    Stream<DynamicTest> platformNamespaces() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            Map<String, String> expectedEnforce = Map.of(
                    SHARED.getProperty("monitoring.namespace"), "privileged", // node-exporter: hostNetwork, hostPID, hostPath
                    SHARED.getProperty("logging.namespace"), "privileged", // Fluent Bit: hostPath /var/log
                    SHARED.getProperty("tracing.namespace"), "restricted");
            expectedEnforce.forEach((name, enforce) -> {
                List<Namespace> found = all(env, Namespace.class).stream().filter(n -> n.getMetadata().getName().equals(name)).toList();
                assertThat(found).as(env + ": namespace " + name + " rendered once").hasSize(1);
                assertThat(cluster(env)).as("by platform/cluster").contains(found.get(0));
                Map<String, String> labels = found.get(0).getMetadata().getLabels();
                assertThat(labels).as(name).containsEntry("pod-security.kubernetes.io/enforce", enforce)
                        .containsEntry("pod-security.kubernetes.io/audit", "restricted")
                        .containsEntry("pod-security.kubernetes.io/warn", "restricted");
            });
            for (Namespace n : all(env, Namespace.class)) {
                String enforce = n.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce");
                if (enforce != null) {
                    assertThat(enforce).as(n.getMetadata().getName()).isIn(PSA_LEVELS);
                }
            }
        }));
    }

    @TestFactory
    @DisplayName("Headlamp is read-only: its account is bound to the built-in view role only, and no token Secret exists")
    Stream<DynamicTest> headlampIsReadOnly() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            String ns = SHARED.getProperty("headlamp.namespace");
            String account = SHARED.getProperty("headlamp.service");
            one(env, ServiceAccount.class, account);
            Deployment headlamp = one(env, Deployment.class, "headlamp");
            assertThat(headlamp.getMetadata().getNamespace()).isEqualTo(ns);
            assertThat(headlamp.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(account);
            assertThat(bindingsOf(env, ns, account)).containsExactly("view");
            ClusterRoleBinding binding = one(env, ClusterRoleBinding.class, "headlamp-view");
            assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(all(env, Secret.class)).as("no long-lived service-account token Secret")
                    .noneMatch(s -> "kubernetes.io/service-account-token".equals(s.getType()));
        }));
    }

    @TestFactory
    @DisplayName("nothing in the stack is bound to cluster-admin")
    Stream<DynamicTest> noClusterAdmin() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            assertThat(all(env, ClusterRoleBinding.class)).extracting(b -> b.getRoleRef().getName()).doesNotContain("cluster-admin");
            assertThat(all(env, RoleBinding.class)).extracting(b -> b.getRoleRef().getName()).doesNotContain("cluster-admin", "admin");
        }));
    }

    @TestFactory
    @DisplayName("Headlamp's Service is a ClusterIP panel named and numbered by stack.properties, with its token login")
    Stream<DynamicTest> headlampPanel() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            Service service = one(env, Service.class, SHARED.getProperty("headlamp.service"));
            assertThat(service.getMetadata().getNamespace()).isEqualTo(SHARED.getProperty("headlamp.namespace"));
            assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(port.getPort()).isEqualTo(Integer.valueOf(SHARED.getProperty("headlamp.port")));
            });
            assertThat(service.getMetadata().getAnnotations())
                    .containsEntry("cafe-stack.dev/panel", "Headlamp")
                    .containsEntry("cafe-stack.dev/panel-port", "http")
                    .hasEntrySatisfying("cafe-stack.dev/panel-login", login -> assertThat(login).contains(
                            "kubectl -n " + SHARED.getProperty("headlamp.namespace") + " create token " + SHARED.getProperty("headlamp.service")));
        }));
    }

    @TestFactory
    @DisplayName("metrics-server serves metrics.k8s.io: its APIService points at its Service, and it holds the release's RBAC")
    Stream<DynamicTest> metricsServer() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            APIService api = one(env, APIService.class, "v1beta1.metrics.k8s.io");
            assertThat(api.getSpec().getGroup()).isEqualTo("metrics.k8s.io");
            assertThat(api.getSpec().getVersion()).isEqualTo("v1beta1");
            Service service = one(env, Service.class, api.getSpec().getService().getName());
            assertThat(service.getMetadata().getNamespace()).isEqualTo(api.getSpec().getService().getNamespace());
            assertThat(service.getSpec().getPorts()).anyMatch(p -> p.getPort().equals(api.getSpec().getService().getPort()));
            Deployment deployment = one(env, Deployment.class, "metrics-server");
            assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo("registry.k8s.io/metrics-server/metrics-server:v0.8.1");
            assertThat(bindingsOf(env, "kube-system", "metrics-server")).containsExactlyInAnyOrder(
                    "system:metrics-server", "system:auth-delegator", "extension-apiserver-authentication-reader");
        }));
    }

    @TestFactory
    @DisplayName("the strict reader accepts the APIService kind (apiregistration.k8s.io/v1) although the metrics API it registers is v1beta1")
    Stream<DynamicTest> apiServiceIsStable() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            Path file = Stack.rendered(Stack.ROOT.resolve("platform/cluster"), env);
            assertThat(StrictManifests.read(file)).filteredOn(APIService.class::isInstance)
                    .singleElement().extracting(HasMetadata::getApiVersion).isEqualTo("apiregistration.k8s.io/v1");
        }));
    }

    @TestFactory
    @DisplayName("the CI agent's EKS group may manage exactly the mesh kinds mesh/istio renders, in the app namespace only")
    Stream<DynamicTest> ciGroupManagesTheMeshRules() {
        return Stack.environments().stream().filter(env -> Stack.environment(env).containsKey("eks.cluster.name"))
                .map(env -> dynamicTest(env, () -> {
                    com.fasterxml.jackson.databind.JsonNode eks = StrictManifests.tree(
                            Stack.ROOT.resolve("platform/eks/target/eks").resolve(env).resolve("cluster.yaml"));
                    List<String> groups = new java.util.ArrayList<>();
                    eks.path("accessConfig").path("accessEntries").forEach(e -> e.path("kubernetesGroups").forEach(g -> groups.add(g.asText())));
                    assertThat(groups).as("the CI access entry's groups").isNotEmpty();
                    String ns = Stack.environment(env).getProperty("cafe.namespace");
                    List<RoleBinding> bindings = all(env, RoleBinding.class).stream()
                            .filter(b -> b.getSubjects().stream().anyMatch(x -> "Group".equals(x.getKind()) && groups.contains(x.getName())))
                            .toList();
                    assertThat(bindings).as("RoleBindings of the CI group").singleElement().satisfies(b -> {
                        assertThat(b.getMetadata().getNamespace()).isEqualTo(ns);
                        assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
                    });
                    io.fabric8.kubernetes.api.model.rbac.Role role = one(env, io.fabric8.kubernetes.api.model.rbac.Role.class,
                            bindings.get(0).getRoleRef().getName());
                    assertThat(role.getMetadata().getNamespace()).isEqualTo(ns);
                    List<String> granted = role.getRules().stream().flatMap(r -> r.getApiGroups().stream()
                            .flatMap(g -> r.getResources().stream().map(res -> g + "/" + res))).toList();
                    List<String> meshKinds = StrictManifests.read(Stack.rendered(Stack.ROOT.resolve("mesh/istio"), env)).stream()
                            .map(r -> HasMetadata.getGroup(r.getClass()) + "/" + HasMetadata.getPlural(r.getClass()))
                            .distinct().toList();
                    assertThat(granted).as("exactly the kinds mesh/istio renders").containsExactlyInAnyOrderElementsOf(meshKinds);
                    assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getApiGroups()).allMatch(g -> g.endsWith(".istio.io")));
                }));
    }
}
