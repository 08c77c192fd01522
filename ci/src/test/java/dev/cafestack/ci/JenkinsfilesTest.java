package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The two pipelines as Groovy reads them, and the rules every stage follows (one project command each). */
class JenkinsfilesTest {

    private static final Path ROOT = Path.of("..");
    /** An AWS key, or a password / API token / webhook token whose value is not a ${...} reference. */
    private static final Pattern SECRET = Pattern.compile(
            "(?i)(AKIA[0-9A-Z]{12,}|(password|apitoken|secrettoken)\\s*[:=(]\\s*['\"]?(?!\\$\\{)[^\\s'\")]+)");

    @ParameterizedTest
    @ValueSource(strings = {"Jenkinsfile", "Jenkinsfile.config"})
    @DisplayName("each Jenkinsfile parses as Groovy")
    void parses(String file) {
        assertThat(Jenkinsfiles.parse(file, Jenkinsfiles.read(file)).getStatementBlock().getStatements()).isNotEmpty();
    }

    @Test
    @DisplayName("the Groovy parse is real: a broken pipeline fails with its line")
    void brokenGroovyFails() {
        String broken = Jenkinsfiles.read("Jenkinsfile").replaceFirst("stages \\{", "stages {{");
        assertThatThrownBy(() -> Jenkinsfiles.parse("Jenkinsfile", broken))
                .isInstanceOf(MultipleCompilationErrorsException.class).hasMessageContaining("@ line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Jenkinsfile", "Jenkinsfile.config"})
    @DisplayName("every sh step is one ./mvnw run with -B and -P $ENV, or an executable script under ci/")
    void everyStepIsOneProjectCommand(String file) {
        List<Jenkinsfiles.Step> steps = Jenkinsfiles.shSteps(file);
        assertThat(steps).isNotEmpty();
        for (Jenkinsfiles.Step step : steps) {
            assertThat(step.script()).as("%s:%d", file, step.line()).doesNotContain("&&", ";", "|", "\n");
            List<String> words = Jenkinsfiles.words(step.script());
            if (words.get(0).equals("./mvnw")) {
                assertThat(words).as("%s:%d %s", file, step.line(), step.script()).contains("-B");
                assertThat(String.join(" ", words)).as("%s:%d", file, step.line()).contains("-P $ENV");
            } else {
                assertThat(words.get(0)).as("%s:%d", file, step.line()).startsWith("ci/");
                assertThat(ROOT.resolve(words.get(0))).as("%s:%d", file, step.line()).isExecutable();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Jenkinsfile", "Jenkinsfile.config"})
    @DisplayName("every stage runs at most one command")
    void oneCommandPerStage(String file) {
        assertThat(Jenkinsfiles.shSteps(file)).extracting(Jenkinsfiles.Step::stage).doesNotHaveDuplicates()
                .allSatisfy(stage -> assertThat(stage).isNotBlank());
    }

    @Test
    @DisplayName("deploy pipeline: build, push, approve prod, deploy, wait, smoke test, in that order")
    void deployPipelineOrder() {
        List<String> commands = Jenkinsfiles.shSteps("Jenkinsfile").stream().map(Jenkinsfiles.Step::script).toList();
        assertThat(commands).satisfiesExactly(
                c -> assertThat(c).isEqualTo("ci/bin/check-agent"),
                c -> assertThat(c).isEqualTo("ci/bin/image-tag"),
                c -> assertThat(c).startsWith("./mvnw -B install -P $ENV").contains("-Dcafe.image.tag=$IMAGE_TAG"),
                c -> assertThat(c).contains("jib:build").contains("-Dcafe.image.tag=$IMAGE_TAG"),
                c -> assertThat(c).contains("exec:java@kubeconfig"),
                c -> assertThat(c).contains("k8s:apply"),
                c -> assertThat(c).contains("exec:java@rollout"),
                c -> assertThat(c).contains("exec:java@smoke"));
        List<String> stages = Jenkinsfiles.stages("Jenkinsfile");
        assertThat(stages.indexOf("Approve production")).isBetween(stages.indexOf("Push images"), stages.indexOf("Deploy"));
    }

    @Test
    @DisplayName("deploy pipeline: BRANCH git parameter, ENV choice, timestamps, discarder, timeout, prod approval, failure mail")
    void deployPipelineDirectives() {
        List<String> calls = Jenkinsfiles.calls("Jenkinsfile");
        assertThat(calls).contains("gitParameter", "choice", "timestamps", "buildDiscarder", "timeout", "input",
                "withCredentials", "failure", "mail");
        assertThat(Jenkinsfiles.read("Jenkinsfile")).contains("name: 'BRANCH', type: 'PT_BRANCH'")
                .contains("defaultValue: 'main'").contains("params.ENV == 'prod'");
    }

    @Test
    @DisplayName("config pipeline: validation of every environment's config comes before anything is applied")
    void configPipelineValidatesFirst() {
        List<Jenkinsfiles.Step> steps = Jenkinsfiles.shSteps("Jenkinsfile.config");
        assertThat(steps).extracting(Jenkinsfiles.Step::script).satisfiesExactly(
                c -> assertThat(c).contains("-pl platform/eks,services/mocha,ci -am process-classes"),
                c -> assertThat(c).contains("exec:java@kubeconfig"),
                c -> assertThat(c).contains("exec:java@config-deploy"));
        assertThat(Jenkinsfiles.calls("Jenkinsfile.config")).contains("timestamps", "buildDiscarder", "timeout", "input",
                "withCredentials", "failure");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Jenkinsfile", "Jenkinsfile.config", "casc.yaml"})
    @DisplayName("no credential is written in the pipeline files")
    void noSecrets(String file) throws Exception {
        assertThat(Files.readString(Jenkinsfiles.DIR.resolve(file))).doesNotContainPattern(SECRET);
    }
}
