package dev.cafestack.stack;

import static dev.cafestack.stack.RenderedManifestsTest.all;
import static dev.cafestack.stack.RenderedManifestsTest.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/**
 * Where spans go, read from what the build rendered: the services' OTLP endpoint (their Deployments' environment) and
 * the mesh's tracing provider must name the Jaeger collector Service of observability/tracing, on a port that reaches
 * the OTLP receiver of Jaeger's own configuration, and the collector's NetworkPolicy must let those senders in.
 */
@DisplayName("Tracing wiring")
class TracingWiringTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The Jaeger collector Service an environment renders (name and namespace from stack.properties). */
    static Service collector(String env) {
        Service collector = one(env, Service.class, Stack.shared().getProperty("jaeger.collector.service"));
        assertThat(collector.getMetadata().getNamespace()).isEqualTo(Stack.shared().getProperty("tracing.namespace"));
        return collector;
    }

    /** A Service's cluster DNS name. */
    static String dnsName(Service service) {
        return service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc.cluster.local";
    }

    @TestFactory
    @DisplayName("each service that exports spans sends them to the rendered collector Service, on the port of Jaeger's OTLP/gRPC receiver")
    Stream<DynamicTest> servicesExportToTheCollector() {
        return Stack.environments().stream().flatMap(env -> RenderedManifestsTest.appDeployments(env).stream()
                .map(d -> dynamicTest(env + ": " + d.getMetadata().getName(), () -> {
                    Container app = d.getSpec().getTemplate().getSpec().getContainers().get(0);
                    Map<String, String> vars = new HashMap<>();
                    app.getEnv().forEach(e -> vars.put(e.getName(), e.getValue()));
                    String endpoint = vars.get("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
                    assertThat(endpoint).as("the rendered OTLP endpoint").isEqualTo(Stack.environment(env).getProperty("cafe.otlp.endpoint"));
                    if (Boolean.parseBoolean(vars.get("QUARKUS_OTEL_SDK_DISABLED"))) {
                        return; // no spans leave this environment's services (local: no collector on a laptop)
                    }
                    URI uri = URI.create(endpoint);
                    Service collector = collector(env);
                    assertThat(uri.getHost()).isEqualTo(dnsName(collector));
                    ServicePort port = collector.getSpec().getPorts().stream().filter(p -> p.getPort() == uri.getPort())
                            .findFirst().orElseThrow(() -> new AssertionError(env + ": " + dnsName(collector)
                                    + " has no port " + uri.getPort() + " (cafe.otlp.endpoint " + endpoint + ")"));
                    assertThat(port.getAppProtocol()).as("the Quarkus exporter speaks OTLP/gRPC").isEqualTo("grpc");
                    assertThat(receiverPort(env, "grpc")).as("Jaeger's OTLP/gRPC receiver listens where the Service sends")
                            .isEqualTo(containerPort(env, port.getTargetPort()));
                })));
    }

    @TestFactory
    @DisplayName("the collector's NetworkPolicy admits OTLP from the app namespace and the Istio namespace, and nothing else")
    Stream<DynamicTest> collectorAdmitsTheSenders() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            String tracing = Stack.shared().getProperty("tracing.namespace");
            NetworkPolicy policy = all(env, NetworkPolicy.class).stream()
                    .filter(p -> tracing.equals(p.getMetadata().getNamespace()))
                    .filter(p -> p.getSpec().getIngress().stream().anyMatch(r -> r.getPorts().stream()
                            .anyMatch(port -> "grpc-otlp".equals(port.getPort().getStrVal()))))
                    .findFirst().orElseThrow(() -> new AssertionError(env + ": no NetworkPolicy for the collector's OTLP port"));
            assertThat(NetworkPoliciesTest.selected(env, policy)).extracting(RenderedManifestsTest.Workload::name)
                    .containsExactly("jaeger");
            var otlpRules = policy.getSpec().getIngress().stream().filter(r -> r.getPorts().stream()
                    .anyMatch(p -> p.getPort().getStrVal().endsWith("-otlp"))).toList();
            assertThat(otlpRules).hasSize(1);
            List<NetworkPolicyPeer> from = otlpRules.get(0).getFrom();
            assertThat(from).allSatisfy(peer -> assertThat(peer.getPodSelector()).as("whole namespaces").isNull());
            assertThat(from).extracting(peer -> peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                    .containsExactlyInAnyOrder(Stack.environment(env).getProperty("cafe.namespace"),
                            Stack.shared().getProperty("istio.namespace"));
        }));
    }

    /** The port number the Jaeger pod's container port of this name (or number) has. */
    private static int containerPort(String env, IntOrString target) {
        Deployment jaeger = one(env, Deployment.class, "jaeger");
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        return jaeger.getSpec().getTemplate().getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                .filter(p -> target.getStrVal().equals(p.getName())).findFirst().orElseThrow().getContainerPort();
    }

    /** The port of Jaeger's OTLP receiver for a protocol (grpc, http), from the rendered jaeger-config. */
    private static int receiverPort(String env, String protocol) throws Exception {
        ConfigMap config = one(env, ConfigMap.class, "jaeger-config");
        JsonNode jaeger = YAML.readTree(config.getData().get("config.yaml"));
        String endpoint = jaeger.at("/receivers/otlp/protocols/" + protocol + "/endpoint").asText();
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }
}
