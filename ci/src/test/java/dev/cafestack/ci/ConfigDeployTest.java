package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.cafestack.tests.goals.ApiServerStandIn;

/**
 * The config-only deploy against a mock API server holding a deployed environment: mocha and latte, each with its
 * ConfigMap and the config hash of the last deploy on its pod template, running images of a real release.
 */
class ConfigDeployTest {

    private static final String NS = "ecp-cafe";

    @TempDir
    Path root;

    private ApiServerStandIn api;
    private KubernetesClient live;
    /** The Deployment controller's one duty here: it sees each new generation (replica counts stay as set). */
    private final java.util.concurrent.ScheduledExecutorService controller =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    /** How many replicas the controller stand-in reports available, per Deployment (default: all 2). */
    private final java.util.Map<String, Integer> available = new java.util.concurrent.ConcurrentHashMap<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void deployed() {
        api = new ApiServerStandIn();
        live = api.client();
        for (var r : new io.fabric8.kubernetes.api.model.HasMetadata[] {
                Fixtures.configMap(NS, "mocha-config", "mocha.yaml", "deadline: 1s"),
                Fixtures.configMap(NS, "latte-config", "latte.yaml", "brew: 10ms"),
                Fixtures.deployment(NS, "mocha", "ecr/mocha:0.1.0-202611250800", "mocha-config", "aaa111"),
                Fixtures.deployment(NS, "latte", "ecr/latte:0.1.0-202611250800", "latte-config", "bbb222")}) {
            live.resource(r).create();
        }
        for (String name : new String[] {"mocha", "latte"}) {
            Deployment d = live.apps().deployments().inNamespace(NS).withName(name).get();
            d.setStatus(Fixtures.deployment(NS, name, "x", "x", "x").getStatus());
            live.resource(d).updateStatus();
        }
        controller.scheduleWithFixedDelay(() -> {
            for (Deployment d : live.apps().deployments().inNamespace(NS).list().getItems()) {
                Long generation = d.getMetadata().getGeneration();
                int ready = available.getOrDefault(d.getMetadata().getName(), 2);
                if (generation != null && (!generation.equals(d.getStatus().getObservedGeneration())
                        || d.getStatus().getAvailableReplicas() != ready)) {
                    d.getStatus().setObservedGeneration(generation);
                    d.getStatus().setAvailableReplicas(ready);
                    live.resource(d).updateStatus();
                }
            }
        }, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        controller.shutdownNow();
        controller.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        api.close();
    }

    private int run() {
        return ConfigDeploy.run(live, root, "dev", Duration.ofSeconds(3), out);
    }

    @Test
    @DisplayName("applies only the changed ConfigMap, rolls only its Deployment, and keeps the running image")
    void changedConfigOnly() {
        Fixtures.rendered(root, "services/mocha", "dev",
                Fixtures.configMap(NS, "mocha-config", "mocha.yaml", "deadline: 2s"),
                Fixtures.deployment(NS, "mocha", "ecr/mocha:0.1.0-SNAPSHOT", "mocha-config", "ccc333"));
        Fixtures.rendered(root, "services/latte", "dev",
                Fixtures.configMap(NS, "latte-config", "latte.yaml", "brew: 99ms (not applied: hash unchanged)"),
                Fixtures.deployment(NS, "latte", "ecr/latte:0.1.0-SNAPSHOT", "latte-config", "bbb222"));
        Long latteGeneration = live.apps().deployments().inNamespace(NS).withName("latte").get().getMetadata().getGeneration();

        assertThat(run()).as(bytes.toString(StandardCharsets.UTF_8)).isZero();

        Deployment mocha = live.apps().deployments().inNamespace(NS).withName("mocha").get();
        assertThat(mocha.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry(ConfigDeploy.HASH, "ccc333");
        assertThat(mocha.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("ecr/mocha:0.1.0-202611250800");
        assertThat(live.configMaps().inNamespace(NS).withName("mocha-config").get().getData())
                .containsEntry("mocha.yaml", "deadline: 2s");
        assertThat(live.configMaps().inNamespace(NS).withName("latte-config").get().getData())
                .containsEntry("mocha.yaml".replace("mocha", "latte"), "brew: 10ms");
        assertThat(live.apps().deployments().inNamespace(NS).withName("latte").get().getMetadata().getGeneration())
                .isEqualTo(latteGeneration);
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("applied ConfigMap ecp-cafe/mocha-config")
                .contains("rolled Deployment ecp-cafe/mocha: config aaa111 -> ccc333")
                .contains("ecp-cafe/latte: config unchanged")
                .contains("ecp-cafe/mocha rolled out");
    }

    @Test
    @DisplayName("no config change: nothing is written")
    void unchanged() {
        Fixtures.rendered(root, "services/mocha", "dev",
                Fixtures.configMap(NS, "mocha-config", "mocha.yaml", "deadline: 1s"),
                Fixtures.deployment(NS, "mocha", "ecr/mocha:0.1.0-SNAPSHOT", "mocha-config", "aaa111"));
        ConfigMap before = live.configMaps().inNamespace(NS).withName("mocha-config").get();
        assertThat(run()).isZero();
        assertThat(live.configMaps().inNamespace(NS).withName("mocha-config").get().getMetadata().getResourceVersion())
                .isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("nothing to apply");
    }

    @Test
    @DisplayName("a Deployment that is not in the cluster: nothing at all is applied, and the run fails saying why")
    void notDeployedAppliesNothing() {
        Fixtures.rendered(root, "services/mocha", "dev",
                Fixtures.configMap(NS, "mocha-config", "mocha.yaml", "deadline: 2s"),
                Fixtures.deployment(NS, "mocha", "ecr/mocha:0.1.0-SNAPSHOT", "mocha-config", "ccc333"),
                Fixtures.configMap(NS, "espresso-config", "espresso.yaml", "x: 1"),
                Fixtures.deployment(NS, "espresso", "ecr/espresso:1", "espresso-config", "ddd444"));
        assertThat(run()).isEqualTo(1);
        assertThat(live.configMaps().inNamespace(NS).withName("mocha-config").get().getData())
                .containsEntry("mocha.yaml", "deadline: 1s");
        assertThat(live.apps().deployments().inNamespace(NS).withName("mocha").get().getSpec().getTemplate()
                .getMetadata().getAnnotations()).containsEntry(ConfigDeploy.HASH, "aaa111");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("NOTHING APPLIED").contains("ecp-cafe/espresso");
    }

    @Test
    @DisplayName("a rollout that does not finish in time fails the run, naming the Deployment and why")
    void rolloutTimeout() {
        available.put("mocha", 1);
        Fixtures.rendered(root, "services/mocha", "dev",
                Fixtures.configMap(NS, "mocha-config", "mocha.yaml", "deadline: 2s"),
                Fixtures.deployment(NS, "mocha", "ecr/mocha:0.1.0-SNAPSHOT", "mocha-config", "ccc333"));
        assertThat(ConfigDeploy.run(live, root, "dev", Duration.ofMillis(1500), out)).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("NOT ROLLED OUT ecp-cafe/mocha: 1 of 2 updated replicas available");
    }
}
