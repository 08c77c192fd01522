package dev.cafestack.observability.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * Every environment's rendered alertmanager.yml, checked by amtool (check-config, and where critical and warning alerts
 * are routed), and wired to the WeCom relay Service and the token Secret that the manifests mount.
 */
@DisplayName("alertmanager.yml")
class AlertmanagerConfigTest {

    @TestFactory
    @DisplayName("amtool check-config accepts every environment's configuration")
    Stream<DynamicTest> amtoolAccepts() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            Tool.Result result = Tool.AMTOOL.run(Monitoring.config(env), "check-config", "alertmanager.yml");
            assertThat(result.ok()).as(result.toString()).isTrue();
            assertThat(result.output()).contains("SUCCESS");
        }));
    }

    @TestFactory
    @DisplayName("amtool routes a critical alert to wecom-critical, a warning or unlabelled one to wecom-warning")
    Stream<DynamicTest> routes() {
        return Monitoring.environments().stream().flatMap(env -> Stream.of(
                dynamicTest(env + ": critical", () -> route(env, "wecom-critical", true,
                        "alertname=CafeServiceDown", "severity=critical", "namespace=ecp-cafe", "service=mocha")),
                dynamicTest(env + ": warning", () -> route(env, "wecom-warning", true,
                        "alertname=CafeLatencyP99High", "severity=warning", "namespace=ecp-cafe", "service=latte")),
                dynamicTest(env + ": no severity", () -> route(env, "wecom-warning", true, "alertname=Unlabelled")),
                dynamicTest(env + ": a critical alert does not go where warnings go", () -> route(env, "wecom-warning", false,
                        "alertname=CafeServiceDown", "severity=critical"))));
    }

    private static void route(String env, String receiver, boolean expected, String... labels) {
        List<String> args = new ArrayList<>(List.of("config", "routes", "test", "--config.file=alertmanager.yml",
                "--verify.receivers=" + receiver));
        args.addAll(List.of(labels));
        Tool.Result result = Tool.AMTOOL.run(Monitoring.config(env), args.toArray(String[]::new));
        assertThat(result.ok()).as(result.toString()).isEqualTo(expected);
    }

    @TestFactory
    @DisplayName("groups by alert, namespace and service; critical mutes warnings of the same service")
    Stream<DynamicTest> groupingAndInhibition() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            JsonNode config = Monitoring.yaml(Monitoring.config(env).resolve("alertmanager.yml"));
            JsonNode route = config.path("route");
            assertThat(texts(route.path("group_by"))).containsExactly("alertname", "namespace", "service");
            assertThat(route.path("group_wait").asText()).isEqualTo("30s");
            assertThat(route.path("group_interval").asText()).isEqualTo("5m");
            assertThat(route.path("repeat_interval").asText()).isEqualTo("12h");
            JsonNode inhibit = config.path("inhibit_rules").get(0);
            assertThat(texts(inhibit.path("source_matchers"))).containsExactly("severity=\"critical\"");
            assertThat(texts(inhibit.path("target_matchers"))).containsExactly("severity=\"warning\"");
            assertThat(texts(inhibit.path("equal"))).contains("namespace", "service");
        }));
    }

    @TestFactory
    @DisplayName("every receiver posts to the WeCom relay Service with the mounted bearer token, resolved alerts too")
    Stream<DynamicTest> receiversPostToTheRelay() {
        Properties shared = Monitoring.shared();
        String url = "http://" + shared.getProperty("relay.service") + "." + shared.getProperty("monitoring.namespace")
                + ".svc:" + shared.getProperty("relay.port") + "/alertmanager";
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            StatefulSet alertmanager = Monitoring.one(env, StatefulSet.class, "alertmanager");
            PodSpec pod = alertmanager.getSpec().getTemplate().getSpec();
            Volume secret = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
            assertThat(secret.getSecret().getSecretName()).isEqualTo(shared.getProperty("relay.token.secret"));
            Container container = pod.getContainers().get(0);
            VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(secret.getName()))
                    .findFirst().orElseThrow();
            assertThat(mount.getReadOnly()).isTrue();
            String tokenFile = mount.getMountPath() + "/" + secret.getSecret().getItems().get(0).getPath();

            JsonNode receivers = Monitoring.yaml(Monitoring.config(env).resolve("alertmanager.yml")).path("receivers");
            assertThat(receivers).hasSize(2);
            for (JsonNode receiver : receivers) {
                assertThat(receiver.path("webhook_configs")).hasSize(1);
                JsonNode webhook = receiver.path("webhook_configs").get(0);
                assertThat(webhook.path("url").asText()).isEqualTo(url);
                assertThat(webhook.path("send_resolved").asBoolean()).isTrue();
                JsonNode authorization = webhook.path("http_config").path("authorization");
                assertThat(authorization.path("type").asText()).isEqualTo("Bearer");
                assertThat(authorization.path("credentials_file").asText()).isEqualTo(tokenFile);
                assertThat(authorization.has("credentials")).as("no token in the repository").isFalse();
            }
        }));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
