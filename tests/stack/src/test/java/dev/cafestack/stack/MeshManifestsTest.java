package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import io.fabric8.istio.api.telemetry.v1.Telemetry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * mesh/istio's rendered rules in every environment: they fit together with what the services render (hosts, ports,
 * subsets, gateway), and they say what the environment file says (canary split, load balancing, connection pool,
 * circuit breaking, TLS, trace sampling). The strict parse of every Istio resource is {@link RenderedManifestsTest}'s.
 */
class MeshManifestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESH = "mesh/istio";

    private static List<HasMetadata> mesh(String env) {
        return StrictManifests.read(Stack.rendered(Stack.ROOT.resolve(MESH), env));
    }

    private static JsonNode tree(HasMetadata resource) {
        return JSON.valueToTree(resource);
    }

    private static Stream<DynamicTest> perEnvironment(Consumer<String> check) {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> check.accept(env)));
    }

    @Test
    @DisplayName("mesh/istio renders manifests and deploys after the platform and before the services")
    void meshIsInDeploymentOrder() {
        List<String> modules = Reactor.modules();
        assertThat(modules).contains(MESH);
        assertThat(modules.indexOf(MESH)).isGreaterThan(modules.indexOf("platform/cluster"))
                .isLessThan(modules.indexOf("services/cafe-api"));
        assertThat(Stack.manifestModules()).map(Stack::name).contains(MESH);
    }

    @TestFactory
    @DisplayName("every Istio resource uses the v1 APIs (networking, security, telemetry), is namespaced in the app namespace and is rendered by mesh/istio only")
    Stream<DynamicTest> istioResourcesAreV1() {
        return perEnvironment(env -> {
            List<HasMetadata> mesh = mesh(env);
            assertThat(mesh).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                    "Gateway", "VirtualService", "VirtualService", "DestinationRule", "DestinationRule",
                    "PeerAuthentication", "Telemetry");
            assertThat(mesh).allSatisfy(r -> assertThat(r.getApiVersion())
                    .isIn("networking.istio.io/v1", "security.istio.io/v1", "telemetry.istio.io/v1"));
            assertThat(mesh).allSatisfy(r -> assertThat(r.getMetadata().getNamespace())
                    .isEqualTo(Stack.environment(env).getProperty("cafe.namespace")));
            List<HasMetadata> elsewhere = RenderedManifestsTest.stack(env).stream()
                    .filter(r -> r.getApiVersion().contains("istio.io")).toList();
            assertThat(elsewhere).hasSameSizeAs(mesh);
        });
    }

    @TestFactory
    @DisplayName("every route goes to a Service this repository renders, on one of its ports, to a subset whose labels select rendered pods")
    Stream<DynamicTest> routesReachRenderedWorkloads() {
        return perEnvironment(env -> {
            Map<String, DestinationRule> rules = new HashMap<>();
            RenderedManifestsTest.all(env, DestinationRule.class).forEach(r -> rules.put(r.getSpec().getHost(), r));
            for (VirtualService vs : RenderedManifestsTest.all(env, VirtualService.class)) {
                JsonNode routes = tree(vs).path("spec").path("http");
                assertThat(routes.size()).as(vs.getMetadata().getName() + " has routes").isPositive();
                for (JsonNode route : routes) {
                    for (JsonNode to : route.path("route")) {
                        JsonNode destination = to.path("destination");
                        String host = destination.path("host").asText();
                        String at = env + " VirtualService " + vs.getMetadata().getName() + " -> " + host;
                        Service service = RenderedManifestsTest.one(env, Service.class, host);
                        int port = destination.path("port").path("number").asInt();
                        assertThat(service.getSpec().getPorts()).as(at + " port").anyMatch(p -> p.getPort() == port);
                        if (destination.has("subset")) {
                            String subset = destination.path("subset").asText();
                            DestinationRule rule = rules.get(host);
                            assertThat(rule).as(at + ": a DestinationRule defines subset " + subset).isNotNull();
                            Map<String, String> subsetLabels = new HashMap<>();
                            for (JsonNode s : tree(rule).path("spec").path("subsets")) {
                                if (s.path("name").asText().equals(subset)) {
                                    s.path("labels").fields().forEachRemaining(e -> subsetLabels.put(e.getKey(), e.getValue().asText()));
                                }
                            }
                            assertThat(subsetLabels).as(at + " subset " + subset + " labels").isNotEmpty();
                            Map<String, String> selects = new HashMap<>(service.getSpec().getSelector());
                            selects.putAll(subsetLabels);
                            List<String> pods = RenderedManifestsTest.all(env, Deployment.class).stream()
                                    .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                                            .containsAll(selects.entrySet()))
                                    .map(d -> d.getMetadata().getName()).toList();
                            assertThat(pods).as(at + " subset " + subset + " " + selects + " selects rendered pods")
                                    .isNotEmpty();
                        }
                    }
                }
                for (JsonNode gateway : tree(vs).path("spec").path("gateways")) {
                    RenderedManifestsTest.one(env, Gateway.class, gateway.asText());
                }
            }
            for (DestinationRule rule : RenderedManifestsTest.all(env, DestinationRule.class)) {
                RenderedManifestsTest.one(env, Service.class, rule.getSpec().getHost());
            }
        });
    }

    @TestFactory
    @DisplayName("mocha is reachable from outside on the environment's host under /api/ only, through the cafe gateway")
    Stream<DynamicTest> mochaIsExposedUnderApiOnly() {
        return perEnvironment(env -> {
            String host = Stack.environment(env).getProperty("cafe.host");
            JsonNode spec = tree(RenderedManifestsTest.one(env, VirtualService.class, "mocha")).path("spec");
            assertThat(spec.path("hosts")).extracting(JsonNode::asText).containsExactly(host);
            assertThat(spec.path("gateways")).extracting(JsonNode::asText).containsExactly("cafe-gateway");
            List<String> matches = new ArrayList<>();
            for (JsonNode route : spec.path("http")) {
                assertThat(route.path("match").size()).as("every external route matches a path").isPositive();
                route.path("match").forEach(m -> matches.add(m.path("uri").path("prefix").asText()));
            }
            assertThat(matches).containsExactly("/api/");
            // The only VirtualService bound to the gateway: nothing else (health, metrics, latte) is exposed.
            assertThat(RenderedManifestsTest.all(env, VirtualService.class))
                    .filteredOn(vs -> !tree(vs).path("spec").path("gateways").isEmpty())
                    .extracting(vs -> vs.getMetadata().getName()).containsExactly("mocha");
        });
    }

    @TestFactory
    @DisplayName("the gateway serves the environment's host on HTTP 80, and on HTTPS 443 exactly when the environment names a TLS secret")
    Stream<DynamicTest> gatewayFollowsTheEnvironment() {
        return perEnvironment(env -> {
            Properties values = Stack.environment(env);
            String secret = values.getProperty("mesh.gateway.tls.secret").trim();
            JsonNode spec = tree(RenderedManifestsTest.one(env, Gateway.class, "cafe-gateway")).path("spec");
            assertThat(spec.path("selector").path("istio").asText()).isEqualTo("ingressgateway");
            Map<Integer, JsonNode> servers = new HashMap<>();
            spec.path("servers").forEach(s -> servers.put(s.path("port").path("number").asInt(), s));
            assertThat(servers).containsKey(80);
            assertThat(servers.get(80).path("port").path("protocol").asText()).isEqualTo("HTTP");
            servers.values().forEach(s -> assertThat(s.path("hosts")).extracting(JsonNode::asText)
                    .containsExactly(values.getProperty("cafe.host")));
            if (secret.isEmpty()) {
                assertThat(servers.keySet()).containsExactly(80);
            } else {
                assertThat(servers.keySet()).containsExactlyInAnyOrder(80, 443);
                JsonNode https = servers.get(443);
                assertThat(https.path("port").path("protocol").asText()).isEqualTo("HTTPS");
                assertThat(https.path("tls").path("mode").asText()).isEqualTo("SIMPLE");
                assertThat(https.path("tls").path("credentialName").asText()).isEqualTo(secret);
            }
        });
    }

    @TestFactory
    @DisplayName("latte's route splits between v1 and v2 as the environment says: v1 = latte.stable.weight, v2 = latte.canary.weight, summing to 100")
    Stream<DynamicTest> latteSplitIsTheEnvironments() {
        return perEnvironment(env -> {
            Properties values = Stack.environment(env);
            int canary = Integer.parseInt(values.getProperty("latte.canary.weight").trim());
            int stable = Integer.parseInt(values.getProperty("latte.stable.weight").trim());
            boolean hasCanary = !values.getProperty("latte.canary.tag").trim().isEmpty();
            JsonNode spec = tree(RenderedManifestsTest.one(env, VirtualService.class, "latte")).path("spec");
            assertThat(spec.path("hosts")).extracting(JsonNode::asText).containsExactly("latte");
            assertThat(spec.has("gateways")).as("mesh-internal only").isFalse();
            assertThat(spec.path("http")).hasSize(1);
            Map<String, Integer> split = new HashMap<>();
            spec.path("http").get(0).path("route").forEach(r ->
                    split.put(r.path("destination").path("subset").asText(), r.path("weight").asInt()));
            assertThat(split.values().stream().mapToInt(Integer::intValue).sum()).as(env + " weights sum").isEqualTo(100);
            JsonNode brew = spec.path("http").get(0);
            assertThat(brew.path("timeout").asText()).isEqualTo(values.getProperty("latte.route.timeout"));
            assertThat(brew.path("retries").path("attempts").asText()).isEqualTo(values.getProperty("latte.route.retries"));
            assertThat(brew.path("retries").path("retryOn").asText()).as("retry only calls that never reached latte")
                    .isEqualTo("connect-failure,refused-stream");
            if (hasCanary) {
                assertThat(split).containsExactlyInAnyOrderEntriesOf(Map.of("v1", stable, "v2", canary));
            } else {
                assertThat(split).containsExactlyInAnyOrderEntriesOf(Map.of("v1", 100));
            }
        });
    }

    @TestFactory
    @DisplayName("the mesh's timeout for a call to latte is no shorter than mocha's own deadline for it, so mocha's deadline decides")
    Stream<DynamicTest> meshTimeoutLeavesTheDeadlineToMocha() {
        return perEnvironment(env -> {
            String timeout = tree(RenderedManifestsTest.one(env, VirtualService.class, "latte"))
                    .path("spec").path("http").get(0).path("timeout").asText();
            String mochaYaml = RenderedManifestsTest.one(env, ConfigMap.class, "mocha-config")
                    .getData().get("mocha.yaml");
            Matcher deadline = Pattern.compile("(?m)^\\s+deadline:\\s*(\\S+)").matcher(mochaYaml);
            assertThat(deadline.find()).as(env + " mocha.yaml names latte's deadline").isTrue();
            assertThat(millis(timeout)).as(env + " mesh timeout " + timeout + " vs mocha's deadline " + deadline.group(1))
                    .isGreaterThanOrEqualTo(millis(deadline.group(1)));
        });
    }

    private static long millis(String duration) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(duration.trim());
        assertThat(m.matches()).as("a duration: " + duration).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
        };
    }

    @TestFactory
    @DisplayName("mocha's and latte's DestinationRules carry the environment's load balancing with slow start, connection pool and circuit breaking, with Istio mTLS")
    Stream<DynamicTest> destinationRulesAreTheEnvironments() {
        return Stack.environments().stream().flatMap(env -> Stream.of("mocha", "latte").map(service ->
                dynamicTest(env + ": " + service, () -> {
                    Properties v = Stack.environment(env);
                    JsonNode policy = tree(RenderedManifestsTest.one(env, DestinationRule.class, service))
                            .path("spec").path("trafficPolicy");
                    assertThat(policy.path("tls").path("mode").asText()).isEqualTo("ISTIO_MUTUAL");
                    // Envoy's slow start works with these two balancers only.
                    assertThat(policy.path("loadBalancer").path("simple").asText())
                            .as(env + ".properties " + service + ".mesh.lb: slow start (mesh.lb.warmup) needs ROUND_ROBIN or LEAST_REQUEST")
                            .isEqualTo(v.getProperty(service + ".mesh.lb"))
                            .isIn("ROUND_ROBIN", "LEAST_REQUEST");
                    JsonNode warmup = policy.path("loadBalancer").path("warmup");
                    assertThat(warmup.path("duration").asText()).as(env + " " + service + " slow start")
                            .isEqualTo(v.getProperty("mesh.lb.warmup").trim());
                    assertThat(millis(warmup.path("duration").asText())).as(env + " mesh.lb.warmup").isPositive();
                    assertThat(policy.path("loadBalancer").has("warmupDurationSecs")).as("deprecated warmupDurationSecs").isFalse();
                    JsonNode tcp = policy.path("connectionPool").path("tcp");
                    JsonNode http = policy.path("connectionPool").path("http");
                    JsonNode outlier = policy.path("outlierDetection");
                    Map<String, String> rendered = new HashMap<>();
                    rendered.put("mesh.pool.max-connections", tcp.path("maxConnections").asText());
                    rendered.put("mesh.pool.http1-max-pending", http.path("http1MaxPendingRequests").asText());
                    rendered.put("mesh.pool.http2-max-requests", http.path("http2MaxRequests").asText());
                    rendered.put("mesh.pool.max-requests-per-connection", http.path("maxRequestsPerConnection").asText());
                    rendered.put("mesh.pool.max-retries", http.path("maxRetries").asText());
                    rendered.put("mesh.pool.idle-timeout", http.path("idleTimeout").asText());
                    rendered.put("mesh.outlier.consecutive-5xx", outlier.path("consecutive5xxErrors").asText());
                    rendered.put("mesh.outlier.interval", outlier.path("interval").asText());
                    rendered.put("mesh.outlier.base-ejection-time", outlier.path("baseEjectionTime").asText());
                    rendered.put("mesh.outlier.max-ejection-percent", outlier.path("maxEjectionPercent").asText());
                    rendered.put("mesh.outlier.min-health-percent", outlier.path("minHealthPercent").asText());
                    rendered.forEach((key, value) -> assertThat(value).as(env + " " + service + " " + key)
                            .isEqualTo(v.getProperty(key).trim()));
                    assertThat(tcp.path("idleTimeout").asText()).isEqualTo(v.getProperty("mesh.pool.idle-timeout"));
                    assertThat(outlier.path("consecutiveErrors").isMissingNode()).as("deprecated consecutiveErrors").isTrue();
                })));
    }

    @TestFactory
    @DisplayName("the app namespace accepts mutual TLS only, and samples traces at the environment's ratio in percent for the cafe-otel provider")
    Stream<DynamicTest> mtlsAndTracing() {
        return perEnvironment(env -> {
            Properties v = Stack.environment(env);
            PeerAuthentication strict = RenderedManifestsTest.one(env, PeerAuthentication.class, "default");
            assertThat(tree(strict).path("spec").path("mtls").path("mode").asText()).isEqualTo("STRICT");
            assertThat(tree(strict).path("spec").has("selector")).as("namespace-wide").isFalse();
            JsonNode tracing = tree(RenderedManifestsTest.one(env, Telemetry.class, "default")).path("spec").path("tracing");
            assertThat(tracing).hasSize(1);
            assertThat(tracing.get(0).path("providers")).extracting(p -> p.path("name").asText()).containsExactly("cafe-otel");
            assertThat(tracing.get(0).path("randomSamplingPercentage").asDouble())
                    .isEqualTo(Double.parseDouble(v.getProperty("cafe.trace.sampling")) * 100, offset(1e-9));
        });
    }
}
