package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import dev.cafestack.tests.goals.ApiServerStandIn;
import dev.cafestack.tests.goals.NestedMaven;

/**
 * The config pipeline run as Jenkins runs it — its {@code sh} steps in order, stopping at the first that fails — on a
 * config branch where dev's mocha.yaml is not YAML, test's has an unknown key and prod's a value of the wrong type.
 * The first step (validate and render) must fail naming each file and line; no later step runs, and the API server
 * the run is pointed at gets no request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigPipelineRejectsBrokenConfigIT {

    private static final String GOOD = """
            mocha:
              menu:
                currency: EUR
                drinks:
                  latte:
                    small: 3.20
                    large: 4.00
              latte:
                deadline: 750ms
              orders:
                max-notes-length: 50
            """;

    @Test
    @Order(1)
    @DisplayName("bad YAML, an unknown key and a wrong type fail validation with file and line, and nothing is applied")
    void brokenConfigIsRejected() throws IOException {
        Path configs = Files.createDirectories(Path.of("target", "broken-config")).toAbsolutePath();
        write(configs, "local", GOOD);
        write(configs, "dev", GOOD.replace("currency: EUR", "currency: [EUR"));
        write(configs, "test", GOOD.replace("max-notes-length: 50", "max-notes-length: 50\n    max-cups: 3"));
        write(configs, "prod", GOOD.replace("max-notes-length: 50", "max-notes-length: fifty"));

        List<Jenkinsfiles.Step> steps = Jenkinsfiles.shSteps("Jenkinsfile.config");
        List<String> ran = new ArrayList<>();
        NestedMaven.Result failed = null;
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            int before = api.requestCount();
            for (Jenkinsfiles.Step step : steps) {
                List<String> words = Jenkinsfiles.words(step.script().replace("$ENV", "dev"));
                assertThat(words.get(0)).isEqualTo("./mvnw");
                List<String> args = new ArrayList<>(words.subList(1, words.size()));
                args.add("-Dmocha.config.dir=" + configs);
                ran.add(step.stage());
                NestedMaven.Result result = NestedMaven.in(NestedMaven.root()).offline().against(api)
                        .run("config-pipeline-" + ran.size(), args);
                if (result.exitCode() != 0) {
                    failed = result;
                    break;
                }
            }
            assertThat(api.requestCount()).as("requests to the API server").isEqualTo(before);
        }
        assertThat(failed).as("a step of the config pipeline fails").isNotNull();
        assertThat(ran).as("steps run before the pipeline stopped").containsExactly("Validate and render");
        String output = failed.output();
        assertThat(output)
                .containsPattern(Pattern.quote(configs.resolve("dev/mocha.yaml") + ": ") + ".*line 3, column \\d+")
                .containsPattern(Pattern.quote(configs.resolve("test/mocha.yaml") + ": ")
                        + "SRCFG00050: mocha\\.orders\\.max-cups .*\\(line 12\\)")
                .containsPattern(Pattern.quote(configs.resolve("prod/mocha.yaml") + ": ")
                        + ".*mocha\\.orders\\.max-notes-length.*fifty.*\\(line 11\\)")
                .doesNotContain(configs.resolve("local/mocha.yaml") + ":");
    }

    @Test
    @Order(2)
    @DisplayName("on the real rendered manifests, a changed mocha.yaml hash applies mocha's ConfigMap and rolls mocha only")
    void realRenderedManifests() {
        // The validate step above rendered every module it builds from the repository's own config files.
        Path root = NestedMaven.root();
        List<HasMetadata> rendered = RenderedManifests.resources(root, "dev");
        Deployment mocha = RenderedManifests.ofKind(rendered, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("mocha")).findFirst()
                .orElseThrow(() -> new AssertionError("no rendered mocha Deployment for dev under " + root
                        + ": build it (./mvnw -o -pl services/mocha -am process-classes)"));
        assertThat(ConfigDeploy.hashOf(mocha)).matches("[0-9a-f]{64}");
        try (ApiServerStandIn api = new ApiServerStandIn()) {
            var live = api.client();
            // Deployed earlier with another config: the same objects, an older hash and a released image.
            for (HasMetadata r : rendered) {
                if (r instanceof Deployment d) {
                    live.resource(new DeploymentBuilder(d).editSpec().editTemplate().editMetadata()
                            .addToAnnotations(ConfigDeploy.HASH, d.getMetadata().getName().equals("mocha") ? "old"
                                    : ConfigDeploy.hashOf(d))
                            .endMetadata().endTemplate().endSpec()
                            .withNewStatus().withReplicas(d.getSpec().getReplicas())
                            .withUpdatedReplicas(d.getSpec().getReplicas())
                            .withAvailableReplicas(d.getSpec().getReplicas()).withObservedGeneration(1L).endStatus()
                            .build()).create();
                }
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            int exit = ConfigDeploy.run(live, root, "dev", java.time.Duration.ofSeconds(1), new java.io.PrintStream(bytes, true));
            String out = bytes.toString();
            assertThat(out).contains("applied ConfigMap " + mocha.getMetadata().getNamespace() + "/mocha-config")
                    .contains("rolled Deployment " + mocha.getMetadata().getNamespace() + "/mocha: config old -> ");
            ConfigMap applied = live.configMaps().inNamespace(mocha.getMetadata().getNamespace()).withName("mocha-config").get();
            assertThat(applied.getData().get("mocha.yaml")).contains("currency: EUR");
            assertThat(live.configMaps().inAnyNamespace().list().getItems()).hasSize(1);
            // The mock has no Deployment controller: the patched generation is never observed, so the wait times out.
            assertThat(exit).as(out).isEqualTo(1);
            assertThat(out).contains("NOT ROLLED OUT " + mocha.getMetadata().getNamespace() + "/mocha: waiting for the controller");
        }
    }

    private static void write(Path dir, String env, String yaml) throws IOException {
        Files.createDirectories(dir.resolve(env));
        Files.writeString(dir.resolve(env).resolve("mocha.yaml"), yaml);
    }
}
