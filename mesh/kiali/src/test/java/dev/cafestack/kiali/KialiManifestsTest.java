package dev.cafestack.kiali;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What mesh/kiali renders for every environment (target/cafe/&lt;env&gt;/kubernetes.yml, written by mvn package before the
 * tests run): Kiali asks for a login, stays in its two namespaces, and its role cannot write while view-only is on.
 */
@DisplayName("Kiali")
class KialiManifestsTest {

    static final Path ROOT = Path.of(System.getProperty("cafe.root", "../..")).toAbsolutePath().normalize();
    static final List<String> ENVS = Arrays.asList(System.getProperty("cafe.envs", "local,dev,test,prod").split(","));
    static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Properties properties(String file) {
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("environments").resolve(file), StandardCharsets.UTF_8)) {
            values.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    static List<HasMetadata> rendered(String env) {
        try {
            return Serialization.unmarshal(Files.newInputStream(Path.of("target/cafe", env, "kubernetes.yml")), KubernetesList.class).getItems();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T extends HasMetadata> List<T> all(String env, Class<T> kind) {
        return rendered(env).stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static JsonNode config(String env) throws IOException {
        ConfigMap map = all(env, ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals("kiali")).findFirst().orElseThrow();
        return YAML.readTree(map.getData().get("config.yaml"));
    }

    /** Every verb of a role's rules that is not a read (get, list, watch), as "group/resource:verb". */
    static List<String> writeVerbs(List<PolicyRule> rules) {
        return rules.stream().flatMap(rule -> rule.getVerbs().stream().filter(verb -> !READ_VERBS.contains(verb))
                .flatMap(verb -> rule.getApiGroups().stream().flatMap(group -> (rule.getResources() == null ? List.<String>of() : rule.getResources())
                        .stream().map(resource -> group + "/" + resource + ":" + verb)))).toList();
    }

    @TestFactory
    @DisplayName("while view-only is on, the ClusterRole Kiali and its users hold grants no verb but get, list and watch")
    Stream<DynamicTest> viewOnlyMeansReadOnly() {
        return ENVS.stream().map(env -> dynamicTest(env, () -> {
            JsonNode viewOnly = config(env).path("deployment").path("view_only_mode");
            assertThat(viewOnly.isBoolean()).as(env + ": view_only_mode is a boolean, got " + viewOnly).isTrue();
            assertThat(viewOnly.asBoolean()).isEqualTo(Boolean.parseBoolean(properties(env + ".properties").getProperty("kiali.view-only")));
            List<ClusterRole> roles = all(env, ClusterRole.class);
            assertThat(roles).extracting(r -> r.getMetadata().getName()).containsExactly("kiali-viewer");
            if (viewOnly.asBoolean()) {
                assertThat(writeVerbs(roles.get(0).getRules())).as(env + ": write verbs").isEmpty();
                assertThat(roles.get(0).getRules()).allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("*"));
            }
        }));
    }

    @Test
    @DisplayName("the write-verb check finds a write among reads (so the check above can fail)")
    void writeVerbCheckCanFail() {
        List<PolicyRule> rules = List.of(
                new PolicyRuleBuilder().withApiGroups("").withResources("pods").withVerbs("get", "list").build(),
                new PolicyRuleBuilder().withApiGroups("networking.istio.io").withResources("virtualservices")
                        .withVerbs("get", "patch", "delete").build(),
                new PolicyRuleBuilder().withApiGroups("").withResources("pods/portforward").withVerbs("create").build());
        assertThat(writeVerbs(rules)).containsExactly("networking.istio.io/virtualservices:patch",
                "networking.istio.io/virtualservices:delete", "/pods/portforward:create");
    }

    @TestFactory
    @DisplayName("view-only is on in every environment but local, where the environment may turn it off")
    Stream<DynamicTest> viewOnlyOutsideLocal() {
        return ENVS.stream().filter(env -> !env.equals("local")).map(env -> dynamicTest(env, () ->
                assertThat(config(env).path("deployment").path("view_only_mode").asBoolean()).isTrue()));
    }

    @TestFactory
    @DisplayName("a user must log in with a Kubernetes token: the strategy is token, never anonymous")
    Stream<DynamicTest> loginRequired() {
        return ENVS.stream().map(env -> dynamicTest(env, () -> {
            assertThat(config(env).path("auth").path("strategy").asText()).isEqualTo("token").isNotEqualTo("anonymous");
            Service service = all(env, Service.class).stream().filter(s -> s.getMetadata().getName().equals("kiali")).findFirst().orElseThrow();
            assertThat(service.getMetadata().getAnnotations()).containsEntry("cafe-stack.dev/panel", "Kiali")
                    .hasEntrySatisfying("cafe-stack.dev/panel-login", login -> assertThat(login)
                            .contains("kubectl -n " + properties("stack.properties").getProperty("istio.namespace") + " create token kiali"));
        }));
    }

    @TestFactory
    @DisplayName("Kiali sees the app and Istio namespaces only: its selectors name them, and the role is bound there alone")
    Stream<DynamicTest> twoNamespacesOnly() {
        return ENVS.stream().map(env -> dynamicTest(env, () -> {
            String app = properties(env + ".properties").getProperty("cafe.namespace");
            String istio = properties("stack.properties").getProperty("istio.namespace");
            JsonNode deployment = config(env).path("deployment");
            assertThat(deployment.path("cluster_wide_access").asBoolean(true)).isFalse();
            List<String> selected = deployment.path("discovery_selectors").path("default").findValuesAsText("kubernetes.io/metadata.name");
            assertThat(selected).containsExactlyInAnyOrder(app, istio);
            assertThat(all(env, ClusterRoleBinding.class)).as("no cluster-wide binding").isEmpty();
            List<RoleBinding> bindings = all(env, RoleBinding.class);
            assertThat(bindings).extracting(b -> b.getMetadata().getNamespace()).containsExactlyInAnyOrder(app, istio);
            assertThat(bindings).allSatisfy(b -> {
                assertThat(b.getRoleRef().getName()).isEqualTo("kiali-viewer");
                assertThat(b.getSubjects()).singleElement().satisfies(s -> {
                    assertThat(s.getKind()).isEqualTo("ServiceAccount");
                    assertThat(s.getName()).isEqualTo("kiali");
                    assertThat(s.getNamespace()).isEqualTo(istio);
                });
            });
        }));
    }

    @TestFactory
    @DisplayName("the Service serves the UI on kiali.port and the metrics port Prometheus is told to scrape")
    Stream<DynamicTest> servicePorts() {
        return ENVS.stream().map(env -> dynamicTest(env, () -> {
            Properties shared = properties("stack.properties");
            Service service = all(env, Service.class).stream().filter(s -> s.getMetadata().getName().equals(shared.getProperty("kiali.service")))
                    .findFirst().orElseThrow();
            assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("http", Integer.valueOf(shared.getProperty("kiali.port"))),
                    org.assertj.core.groups.Tuple.tuple("http-metrics", Integer.valueOf(shared.getProperty("kiali.metrics-port"))));
            assertThat(service.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", shared.getProperty("kiali.metrics-port"));
            JsonNode server = config(env).path("server");
            assertThat(server.path("port").asInt()).isEqualTo(Integer.parseInt(shared.getProperty("kiali.port")));
            assertThat(server.path("observability").path("metrics").path("port").asInt())
                    .isEqualTo(Integer.parseInt(shared.getProperty("kiali.metrics-port")));
        }));
    }

    @TestFactory
    @DisplayName("the session signing key is a Secret reference, mounted where Kiali v2 reads it, never a value in the repo")
    Stream<DynamicTest> signingKeyFromASecret() {
        return ENVS.stream().map(env -> dynamicTest(env, () -> {
            var deployment = all(env, io.fabric8.kubernetes.api.model.apps.Deployment.class).get(0);
            var pod = deployment.getSpec().getTemplate().getSpec();
            var volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
            assertThat(volume.getSecret().getSecretName()).isEqualTo("kiali-signing-key");
            assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo(volume.getName());
                assertThat(m.getMountPath()).isEqualTo("/kiali-override-secrets/login-token-signing-key");
            });
            assertThat(volume.getSecret().getItems()).extracting(i -> i.getPath()).containsExactly("value.txt");
            assertThat(all(env, io.fabric8.kubernetes.api.model.Secret.class)).as("no Secret rendered").isEmpty();
            assertThat(config(env).path("login_token").path("signing_key").isMissingNode()).as("no key in config.yaml").isTrue();
        }));
    }
}
