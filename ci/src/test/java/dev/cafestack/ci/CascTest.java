package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** casc.yaml (Jenkins Configuration as Code) and plugins.txt. */
class CascTest {

    private static final Pattern JOB = Pattern.compile("pipelineJob\\('([^']+)'\\)");
    private static final Pattern SCRIPT_PATH = Pattern.compile("scriptPath\\('([^']+)'\\)");
    /** jenkins-plugin-cli's id:version, with an exact version (digits first; no "latest", "experimental", ranges). */
    private static final Pattern PINNED = Pattern.compile("[a-z0-9][a-z0-9._-]*:[0-9][0-9A-Za-z._-]*");

    private final JsonNode casc = read();

    @Test
    @DisplayName("casc.yaml parses and defines both jobs, each from its Jenkinsfile in the repository")
    void definesBothJobs() {
        List<String> jobs = new ArrayList<>();
        for (JsonNode job : casc.path("jobs")) {
            String script = job.path("script").asText();
            // A literal block: a folded one would join the DSL's lines and change what the Groovy means.
            assertThat(script.lines()).as(script).hasSizeGreaterThan(10).allSatisfy(line ->
                    assertThat(line.replaceAll("'[^']*'", "''")).doesNotContainPattern("\\)\\s+[a-zA-Z]+\\s*[({]"));
            // Job DSL is Groovy: it must parse.
            Jenkinsfiles.parse("casc job", script);
            Matcher name = JOB.matcher(script);
            Matcher path = SCRIPT_PATH.matcher(script);
            assertThat(name.find()).as(script).isTrue();
            assertThat(path.find()).as(script).isTrue();
            assertThat(Path.of("..").resolve(path.group(1))).as(name.group(1)).isRegularFile();
            jobs.add(name.group(1) + " <- " + path.group(1));
        }
        assertThat(jobs).containsExactly("cafe-stack <- ci/jenkins/Jenkinsfile",
                "cafe-stack-config <- ci/jenkins/Jenkinsfile.config");
    }

    @Test
    @DisplayName("the config job is triggered by GitLab pushes to the config branch with a secret token from outside the file")
    void configJobTrigger() {
        String script = casc.path("jobs").get(1).path("script").asText();
        assertThat(script).contains("triggerOnPush(true)").contains("includeBranchesSpec('config')")
                .contains("secretToken('${CAFE_GITLAB_WEBHOOK_TOKEN}')");
        assertThat(casc.at("/unclassified/gitLabConnectionConfig/connections/0/name").asText()).isEqualTo("gitlab");
    }

    @Test
    @DisplayName("CSRF protection stays on, no sign-up, no anonymous access")
    void securityStaysOn() {
        assertThat(casc.at("/jenkins/crumbIssuer/standard").isObject()).isTrue();
        assertThat(casc.at("/jenkins/securityRealm/local/allowsSignup").asBoolean(true)).isFalse();
        assertThat(casc.at("/jenkins/authorizationStrategy/globalMatrix/entries").toString()).doesNotContain("anonymous");
    }

    @Test
    @DisplayName("every credential the pipelines bind is defined, by reference to the environment")
    void credentialsTheJenkinsfilesUse() throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : casc.at("/credentials/system/domainCredentials/0/credentials")) {
            Map.Entry<String, JsonNode> only = entry.properties().iterator().next();
            ids.add(only.getValue().path("id").asText());
            only.getValue().properties().forEach(field -> {
                if (field.getKey().matches("(?i).*(token|password|arn)")) {
                    assertThat(field.getValue().asText()).as(field.getKey()).matches("\\$\\{[A-Z_]+\\}");
                }
            });
        }
        String jenkinsfile = Jenkinsfiles.read("Jenkinsfile");
        assertThat(jenkinsfile).contains("credentialsId: \"aws-${params.ENV}\"");
        for (String env : List.of("dev", "test", "prod")) {
            assertThat(ids).contains("aws-" + env);
        }
    }

    @Test
    @DisplayName("plugins.txt pins an exact version of every plugin, and lists the ones the pipelines use")
    void pluginsArePinned() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(Jenkinsfiles.DIR.resolve("plugins.txt"))) {
            String entry = line.replaceAll("#.*", "").trim();
            if (entry.isEmpty()) {
                continue;
            }
            assertThat(entry).as("plugins.txt line '%s'", line).matches(PINNED);
            ids.add(entry.substring(0, entry.indexOf(':')));
        }
        assertThat(ids).doesNotHaveDuplicates().contains("configuration-as-code", "job-dsl", "workflow-aggregator",
                "git", "git-parameter", "gitlab-plugin", "credentials-binding", "aws-credentials", "timestamper",
                "mailer", "matrix-auth");
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Jenkinsfiles.DIR.resolve("casc.yaml").toFile());
        } catch (Exception e) {
            throw new AssertionError("casc.yaml does not parse", e);
        }
    }
}
