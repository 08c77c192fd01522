package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.cafestack.tests.goals.ApiServerStandIn;
import dev.cafestack.tests.goals.NestedMaven;

/**
 * Runs the real deploy command, {@code mvn k8s:apply -P local} at the repository root, against a stand-in for a
 * kube-apiserver ({@link ApiServerStandIn}), reads back what it created and compares it with what the build rendered
 * for local (every module's target/cafe/local/kubernetes.yml), then undeploys with {@code mvn k8s:undeploy -P local}.
 *
 * <p>Needs a build of the whole reactor first (failsafe runs it after every module was packaged).
 */
@DisplayName("mvn k8s:apply -P local, run against a stand-in for a kube-apiserver,")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class LocalDeployAppliesWhatWasRenderedIT {

    private static final String ENV = "local";
    private static final String CONFIG_HASH = "cafe-stack.dev/config-hash";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiServerStandIn apiServer;
    private KubernetesClient client;
    private Properties environment;
    /** module -> what the build rendered for local there, in manifest order. */
    private final Map<String, List<HasMetadata>> rendered = new LinkedHashMap<>();
    private final Map<Path, FileTime> renderedAt = new LinkedHashMap<>();
    private NestedMaven.Result apply;

    @BeforeAll
    void deploy() throws IOException {
        LocalRepository.holdsTheLibrariesOfModulesWithManifests();
        apiServer = new ApiServerStandIn();
        client = apiServer.client();
        environment = Reactor.environment(ENV);
        for (String module : Reactor.modulesWithManifests()) {
            Path manifest = Reactor.renderedManifest(module, ENV);
            assertThat(manifest).as("rendered by the build of %s (mvn package renders every environment)", module)
                    .isRegularFile();
            try (InputStream in = Files.newInputStream(manifest)) {
                rendered.put(module, client.load(in).items());
            }
            renderedAt.put(manifest, Files.getLastModifiedTime(manifest));
        }
        assertThat(rendered.keySet()).as("modules that deploy, in deployment order")
                .containsExactly("platform/cluster", "mesh/istio", "mesh/kiali", "observability/prometheus",
                        "observability/grafana", "observability/efk", "observability/tracing", "services/latte",
                        "services/mocha", "observability/wecom-relay");
        // As on a cluster where Istio is installed: its CRDs exist before k8s:apply (see mesh/istio/README.md).
        List<String> crds = apiServer.defineCustomResources(rendered.get("mesh/istio"));
        assertThat(crds).as("CRDs the stand-in has, like an Istio install").containsExactlyInAnyOrder(
                "gateways.networking.istio.io", "virtualservices.networking.istio.io",
                "destinationrules.networking.istio.io", "peerauthentications.security.istio.io",
                "telemetries.telemetry.istio.io");

        apply = NestedMaven.in(NestedMaven.root()).offline().quiet().against(apiServer)
                .run("k8s-apply-local", "k8s:apply", "-P", ENV);
        System.out.printf("mvn k8s:apply -P %s took %d ms%n", ENV, apply.took().toMillis());
        assertThat(apply.exitCode()).as(apply.describe()).isZero();
    }

    @AfterAll
    void stop() {
        if (apiServer != null) {
            apiServer.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("only applies: the rendered manifests are left as the build wrote them (nothing is rebuilt)")
    void onlyApplies() throws IOException {
        for (Map.Entry<Path, FileTime> manifest : renderedAt.entrySet()) {
            assertThat(Files.getLastModifiedTime(manifest.getKey())).as("%s", manifest.getKey())
                    .isEqualTo(manifest.getValue());
        }
    }

    @Test
    @Order(2)
    @DisplayName("creates the namespace of environments/local.properties, with Istio sidecar injection, and the platform's, no other")
    void createsTheNamespace() {
        String namespace = environment.getProperty("cafe.namespace");
        Namespace created = client.namespaces().withName(namespace).get();

        assertThat(created).as("namespace %s", namespace).isNotNull();
        assertThat(created.getMetadata().getLabels())
                .containsEntry("istio-injection", "enabled")
                .containsEntry("cafe-stack.dev/environment", ENV);
        List<String> renderedNamespaces = rendered.get("platform/cluster").stream().filter(Namespace.class::isInstance)
                .map(n -> n.getMetadata().getName()).toList();
        assertThat(renderedNamespaces).contains(namespace);
        assertThat(client.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(renderedNamespaces);
    }

    @Test
    @Order(3)
    @DisplayName("creates every rendered resource exactly as rendered (server-set metadata aside)")
    void createsEveryRenderedResourceAsRendered() {
        rendered.forEach((module, items) -> items.forEach(item -> {
            HasMetadata live = client.resource(item).get();
            assertThat(live).as("%s %s/%s from %s", item.getKind(), item.getMetadata().getNamespace(),
                    item.getMetadata().getName(), module).isNotNull();
            assertThat(comparable(live)).as("%s %s from %s", item.getKind(), item.getMetadata().getName(), module)
                    .isEqualTo(comparable(item));
        }));
    }

    @Test
    @Order(4)
    @DisplayName("creates latte's and mocha's ServiceAccounts and Services; latte's gRPC port is named grpc")
    void createsServiceAccountsAndServices() {
        String namespace = environment.getProperty("cafe.namespace");
        for (String service : List.of("latte", "mocha")) {
            ServiceAccount account = client.serviceAccounts().inNamespace(namespace).withName(service).get();
            assertThat(account).as("ServiceAccount %s", service).isNotNull();
            assertThat(account.getAutomountServiceAccountToken()).as("token in %s's pods", service).isFalse();
            assertThat(client.services().inNamespace(namespace).withName(service).get()).as("Service %s", service)
                    .isNotNull();
        }
        Service latte = client.services().inNamespace(namespace).withName("latte").get();
        ServicePort grpc = latte.getSpec().getPorts().stream()
                .filter(port -> "grpc".equals(port.getName())).findFirst().orElse(null);
        assertThat(grpc).as("latte's port named grpc (Istio balances gRPC per request only then)").isNotNull();
        assertThat(grpc.getAppProtocol()).isEqualTo("grpc");
        assertThat(grpc.getPort()).isEqualTo(rendered(Service.class, "latte").getSpec().getPorts().stream()
                .filter(port -> "grpc".equals(port.getName())).findFirst().orElseThrow().getPort());
    }

    @Test
    @Order(5)
    @DisplayName("ships mocha's config for local (src/main/config/local/mocha.yaml) in ConfigMap mocha-config")
    void shipsMochasConfig() throws IOException {
        ConfigMap config = client.configMaps().inNamespace(environment.getProperty("cafe.namespace"))
                .withName("mocha-config").get();

        assertThat(config).isNotNull();
        assertThat(config.getData()).containsOnlyKeys("mocha.yaml");
        assertThat(config.getData().get("mocha.yaml")).isEqualTo(Files.readString(
                NestedMaven.root().resolve("services/mocha/src/main/config").resolve(ENV).resolve("mocha.yaml"),
                StandardCharsets.UTF_8));
    }

    @Test
    @Order(7)
    @DisplayName("runs latte-v1 and mocha with the rendered images, labels and config hash")
    void runsTheRenderedDeployments() {
        String namespace = environment.getProperty("cafe.namespace");
        String registry = environment.getProperty("cafe.image.registry");
        String version = NestedMaven.required("cafe.version");
        assertThat(client.apps().deployments().inNamespace(namespace).list().getItems())
                .extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrder("latte-v1", "mocha");

        for (String name : List.of("latte-v1", "mocha")) {
            Deployment live = client.apps().deployments().inNamespace(namespace).withName(name).get();
            Deployment expected = rendered(Deployment.class, name);
            String image = live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();

            assertThat(image).as("%s image", name)
                    .isEqualTo(expected.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo(registry + "/" + name.replace("-v1", "") + ":" + version);
            assertThat(live.getMetadata().getLabels()).as("%s labels", name)
                    .isEqualTo(expected.getMetadata().getLabels())
                    .containsEntry("version", "v1");
            assertThat(live.getSpec().getTemplate().getMetadata().getLabels()).as("%s pod labels", name)
                    .isEqualTo(expected.getSpec().getTemplate().getMetadata().getLabels())
                    .containsEntry("version", "v1");
            assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations()).as("%s pod annotations", name)
                    .isEqualTo(expected.getSpec().getTemplate().getMetadata().getAnnotations());
        }
        Deployment mocha = client.apps().deployments().inNamespace(namespace).withName("mocha").get();
        assertThat(mocha.getSpec().getTemplate().getMetadata().getAnnotations().get(CONFIG_HASH))
                .as("mocha's config hash (SHA-256 of src/main/config/local)")
                .matches("[0-9a-f]{64}")
                .isEqualTo(rendered(Deployment.class, "mocha").getSpec().getTemplate().getMetadata()
                        .getAnnotations().get(CONFIG_HASH));
    }

    @Test
    @Order(6)
    @DisplayName("creates the mesh rules of local: latte's route all to v1, and the gateway that mocha's route names")
    void createsTheMeshRules() {
        String namespace = environment.getProperty("cafe.namespace");
        VirtualService latte = client.resources(VirtualService.class).inNamespace(namespace).withName("latte").get();
        assertThat(latte).as("VirtualService latte").isNotNull();
        assertThat(latte.getSpec().getHttp().get(0).getRoute()).singleElement()
                .satisfies(route -> {
                    assertThat(route.getDestination().getSubset()).isEqualTo("v1");
                    assertThat(route.getWeight()).isEqualTo(100);
                });
        VirtualService mocha = client.resources(VirtualService.class).inNamespace(namespace).withName("mocha").get();
        assertThat(mocha.getSpec().getGateways()).containsExactly("cafe-gateway");
        assertThat(client.resources(Gateway.class).inNamespace(namespace).withName("cafe-gateway").get()).isNotNull();
        assertThat(client.resources(DestinationRule.class).inNamespace(namespace).list().getItems())
                .extracting(rule -> rule.getSpec().getHost()).containsExactlyInAnyOrder("latte", "mocha");
    }

    @Test
    @Order(8)
    @DisplayName("is undone by mvn k8s:undeploy -P local: every resource it created is gone")
    void undeployRemovesEverything() {
        NestedMaven.Result undeploy = NestedMaven.in(NestedMaven.root()).offline().quiet().against(apiServer)
                .run("k8s-undeploy-local", "k8s:undeploy", "-P", ENV);
        System.out.printf("mvn k8s:undeploy -P %s took %d ms%n", ENV, undeploy.took().toMillis());

        assertThat(undeploy.exitCode()).as(undeploy.describe()).isZero();
        List<String> left = new ArrayList<>();
        rendered.values().forEach(items -> items.forEach(item -> {
            if (client.resource(item).get() != null) {
                left.add(item.getKind() + " " + item.getMetadata().getName());
            }
        }));
        assertThat(left).as("left on the API server after k8s:undeploy").isEmpty();
        assertThat(client.namespaces().list().getItems()).isEmpty();
    }

    private <T extends HasMetadata> T rendered(Class<T> kind, String name) {
        return rendered.values().stream().flatMap(List::stream)
                .filter(kind::isInstance).map(kind::cast)
                .filter(item -> name.equals(item.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("nothing rendered: " + kind.getSimpleName() + " " + name));
    }

    /** The resource as JSON, without what an API server sets (uid, resourceVersion, timestamps, status). */
    private JsonNode comparable(HasMetadata resource) {
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(client.getKubernetesSerialization().asJson(resource));
            tree.remove("status");
            ObjectNode metadata = (ObjectNode) tree.get("metadata");
            metadata.remove(List.of("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
                    "selfLink"));
            return tree;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
