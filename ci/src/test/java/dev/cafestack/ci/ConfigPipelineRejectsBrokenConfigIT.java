package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The config pipeline run as Jenkins runs it — its {@code sh} steps in order, stopping at the first that fails — on a
 * config branch where dev's mocha.yaml is not YAML, test's has an unknown key and prod's a value of the wrong type.
 * The first step (validate and render) must fail naming each file and line; no later step runs, and the API server
 * the run is pointed at gets no request.
 */
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
        try (MockApiServer api = new MockApiServer()) {
            String master = api.client().getConfiguration().getMasterUrl();
            int before = api.requests();
            for (Jenkinsfiles.Step step : steps) {
                List<String> words = Jenkinsfiles.words(step.script().replace("$ENV", "dev"));
                assertThat(words.get(0)).isEqualTo("./mvnw");
                List<String> args = new ArrayList<>(words.subList(1, words.size()));
                args.addAll(List.of("-Dmocha.config.dir=" + configs, "-Dkubernetes.master=" + master,
                        "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false"));
                ran.add(step.stage());
                NestedMaven.Result result = NestedMaven.run("config-pipeline-" + ran.size(), args);
                if (result.exitCode() != 0) {
                    failed = result;
                    break;
                }
            }
            assertThat(api.requests()).as("requests to the API server").isEqualTo(before);
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

    private static void write(Path dir, String env, String yaml) throws IOException {
        Files.createDirectories(dir.resolve(env));
        Files.writeString(dir.resolve(env).resolve("mocha.yaml"), yaml);
    }
}
