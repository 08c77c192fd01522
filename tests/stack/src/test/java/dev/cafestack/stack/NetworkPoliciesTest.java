package dev.cafestack.stack;

import static dev.cafestack.stack.RenderedManifestsTest.all;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import dev.cafestack.stack.RenderedManifestsTest.Workload;

/**
 * The NetworkPolicies in every environment: ingress is denied by default in the app namespace, and every allow (in any
 * namespace) reaches pods that exist on ports they name — a renamed label or port would otherwise cut traffic silently.
 */
@DisplayName("NetworkPolicies")
class NetworkPoliciesTest {

    @TestFactory
    @DisplayName("deny all ingress in the app namespace unless an allow says otherwise")
    Stream<DynamicTest> defaultDeny() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            String ns = Stack.environment(env).getProperty("cafe.namespace");
            List<NetworkPolicy> denies = all(env, NetworkPolicy.class).stream()
                    .filter(p -> ns.equals(p.getMetadata().getNamespace()))
                    .filter(p -> p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty())
                    .toList();
            assertThat(denies).singleElement().satisfies(deny -> {
                assertThat(deny.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
                assertThat(deny.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
                assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress");
            });
        }));
    }

    @TestFactory
    @DisplayName("let each allow select pods that exist and name only ports those pods serve")
    Stream<DynamicTest> allowsReachPods() {
        return Stack.environments().stream().flatMap(env -> all(env, NetworkPolicy.class).stream()
                .filter(p -> p.getSpec().getIngress() != null && !p.getSpec().getIngress().isEmpty())
                .map(policy -> dynamicTest(env + ": " + policy.getMetadata().getName(), () -> {
                    List<Workload> selected = selected(env, policy);
                    assertThat(selected).as("pods selected by " + policy.getMetadata().getName()).isNotEmpty();
                    policy.getSpec().getIngress().forEach(rule -> {
                        assertThat(rule.getFrom()).as("an allow names its sources").isNotEmpty();
                        assertThat(rule.getPorts()).as("an allow names its ports").isNotEmpty();
                        for (NetworkPolicyPort port : rule.getPorts()) {
                            if (port.getPort().getStrVal() == null) {
                                continue; // a number: a port outside the app's containers (the Istio agent's 15020)
                            }
                            for (Workload w : selected) {
                                assertThat(w.portNames()).as(w.name() + " serves " + port.getPort().getStrVal())
                                        .contains(port.getPort().getStrVal());
                            }
                        }
                    });
                })));
    }

    @TestFactory
    @DisplayName("let traffic reach every app workload: mocha from the gateway, latte from mocha")
    Stream<DynamicTest> everyWorkloadReachable() {
        return Stack.environments().stream().flatMap(env -> RenderedManifestsTest.appDeployments(env).stream()
                .map(d -> dynamicTest(env + ": " + d.getMetadata().getName(), () -> {
                    List<String> allows = all(env, NetworkPolicy.class).stream()
                            .filter(p -> p.getSpec().getIngress() != null && !p.getSpec().getIngress().isEmpty())
                            .filter(p -> selected(env, p).stream().anyMatch(w -> w.name().equals(d.getMetadata().getName())
                                    && w.namespace().equals(d.getMetadata().getNamespace())))
                            .map(p -> p.getMetadata().getName())
                            .toList();
                    String app = d.getSpec().getTemplate().getMetadata().getLabels().get("app");
                    assertThat(allows).as(d.getMetadata().getName() + " is reachable")
                            .contains("mocha".equals(app) ? "mocha-from-gateway" : "latte-from-mocha")
                            .contains("metrics-from-prometheus");
                })));
    }

    /** The workloads of the policy's namespace whose pod labels its selector (matchLabels and In expressions) selects. */
    static List<Workload> selected(String env, NetworkPolicy policy) {
        LabelSelector selector = policy.getSpec().getPodSelector();
        return RenderedManifestsTest.workloads(env).stream()
                .filter(w -> w.namespace().equals(policy.getMetadata().getNamespace())).filter(w -> {
            Map<String, String> labels = w.labels();
            boolean labelsMatch = Objects.requireNonNullElse(selector.getMatchLabels(), Map.<String, String>of())
                    .entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
            boolean expressionsMatch = Objects.requireNonNullElse(selector.getMatchExpressions(),
                    List.<LabelSelectorRequirement>of()).stream()
                    .allMatch(r -> "In".equals(r.getOperator()) && r.getValues().contains(labels.get(r.getKey())));
            return labelsMatch && expressionsMatch;
        }).toList();
    }
}
