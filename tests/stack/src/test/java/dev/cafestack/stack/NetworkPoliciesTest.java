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

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

/**
 * platform/cluster's NetworkPolicies in every environment: ingress is denied by default in the app namespace, and every
 * allow reaches pods that exist on ports they name — a renamed label or port would otherwise cut traffic silently.
 */
@DisplayName("NetworkPolicies")
class NetworkPoliciesTest {

    @TestFactory
    @DisplayName("deny all ingress in the app namespace unless an allow says otherwise")
    Stream<DynamicTest> defaultDeny() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            List<NetworkPolicy> denies = all(env, NetworkPolicy.class).stream()
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
                    List<RenderedManifestsTest.Workload> selected = RenderedManifestsTest.workloads(env).stream()
                            .filter(w -> w.resource().getMetadata().getNamespace().equals(policy.getMetadata().getNamespace()))
                            .filter(w -> selects(policy.getSpec().getPodSelector(), w.template().getMetadata().getLabels()))
                            .toList();
                    assertThat(selected).as("pods selected by " + policy.getMetadata().getName()).isNotEmpty();
                    policy.getSpec().getIngress().forEach(rule -> {
                        assertThat(rule.getFrom()).as("an allow names its sources").isNotEmpty();
                        assertThat(rule.getPorts()).as("an allow names its ports").isNotEmpty();
                        for (NetworkPolicyPort port : rule.getPorts()) {
                            if (port.getPort().getStrVal() == null) {
                                continue; // a number: a port outside the app's containers (the Istio agent's 15020)
                            }
                            for (RenderedManifestsTest.Workload d : selected) {
                                List<String> named = d.template().getSpec().getContainers().stream()
                                        .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getName).toList();
                                assertThat(named).as(d.name() + " serves " + port.getPort().getStrVal())
                                        .contains(port.getPort().getStrVal());
                            }
                        }
                    });
                })));
    }

    @TestFactory
    @DisplayName("let traffic reach every workload: mocha from the gateway, latte from mocha")
    Stream<DynamicTest> everyWorkloadReachable() {
        return Stack.environments().stream().flatMap(env -> all(env, Deployment.class).stream()
                .map(d -> dynamicTest(env + ": " + d.getMetadata().getName(), () -> {
                    List<String> allows = all(env, NetworkPolicy.class).stream()
                            .filter(p -> p.getSpec().getIngress() != null && !p.getSpec().getIngress().isEmpty())
                            .filter(p -> selected(env, p.getSpec().getPodSelector()).contains(d))
                            .map(p -> p.getMetadata().getName())
                            .toList();
                    String app = d.getSpec().getTemplate().getMetadata().getLabels().get("app");
                    assertThat(allows).as(d.getMetadata().getName() + " is reachable")
                            .contains("mocha".equals(app) ? "mocha-from-gateway" : "latte-from-mocha")
                            .contains("metrics-from-prometheus");
                })));
    }

    /** The Deployments whose pod labels a selector selects. */
    private static List<Deployment> selected(String env, LabelSelector selector) {
        return all(env, Deployment.class).stream()
                .filter(d -> selects(selector, d.getSpec().getTemplate().getMetadata().getLabels())).toList();
    }

    /** Whether a selector (matchLabels and In expressions) selects pods with these labels. */
    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        boolean labelsMatch = Objects.requireNonNullElse(selector.getMatchLabels(), Map.<String, String>of())
                .entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        boolean expressionsMatch = Objects.requireNonNullElse(selector.getMatchExpressions(),
                List.<LabelSelectorRequirement>of()).stream()
                .allMatch(r -> "In".equals(r.getOperator()) && r.getValues().contains(labels.get(r.getKey())));
        return labelsMatch && expressionsMatch;
    }
}
