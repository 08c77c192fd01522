package dev.cafestack.observability.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The recording rules and alerts: promtool check rules on every environment's files, promtool test rules with the unit
 * tests in src/test/promtool/ (each alert fires at its inputs and stays silent at others), and what every alert must
 * carry (severity, service, summary, description, a runbook section that exists).
 */
@DisplayName("rules")
class RulesTest {

    static final Path UNIT_TESTS = Monitoring.MODULE.resolve("src/test/promtool");
    static final Path RUNBOOKS = Monitoring.ROOT.resolve("docs/runbooks.md");

    @TempDir
    Path tmp;

    @TestFactory
    @DisplayName("promtool check rules accepts every rule file of every environment")
    Stream<DynamicTest> promtoolChecksRules() {
        return Monitoring.environments().stream().flatMap(env -> Monitoring.RULE_FILES.stream().map(file ->
                dynamicTest(env + ": " + file, () -> {
                    Tool.Result result = Tool.PROMTOOL.run(Monitoring.config(env), "check", "rules", file);
                    assertThat(result.ok()).as(result.toString()).isTrue();
                    assertThat(result.output()).contains("SUCCESS");
                })));
    }

    @Test
    @DisplayName("every environment has the same rules, so the unit tests (run on local's) cover them all")
    void rulesAreTheSameEverywhere() {
        for (String env : Monitoring.environments()) {
            for (String file : Monitoring.RULE_FILES) {
                assertThat(Monitoring.read(Monitoring.config(env).resolve(file))).as(env + " " + file)
                        .isEqualTo(Monitoring.read(Monitoring.config("local").resolve(file)));
            }
        }
    }

    @TestFactory
    @DisplayName("promtool test rules: every unit test file passes")
    Stream<DynamicTest> promtoolUnitTests() {
        return unitTestFiles().stream().map(test -> dynamicTest(test.getFileName().toString(), () -> {
            Tool.Result result = Tool.PROMTOOL.run(UNIT_TESTS, "test", "rules", test.getFileName().toString());
            assertThat(result.ok()).as(result.toString()).isTrue();
            assertThat(result.output()).contains("SUCCESS");
        }));
    }

    @Test
    @DisplayName("a unit test fails when an alert's threshold moves (so passing means something)")
    void unitTestsCatchAMovedThreshold() throws IOException {
        Path rules = tmp.resolve("cafe.rules.yml");
        String original = Monitoring.read(Monitoring.config("local").resolve("cafe.rules.yml"));
        String moved = original.replace("app:server_error_ratio:rate5m > 0.05", "app:server_error_ratio:rate5m > 0.5");
        assertThat(moved).isNotEqualTo(original);
        Files.writeString(rules, moved);
        String test = Monitoring.read(UNIT_TESTS.resolve("cafe.test.yml"))
                .replace("../../../target/cafe-config/local/cafe.rules.yml", rules.toString());
        Files.writeString(tmp.resolve("cafe.test.yml"), test);
        Tool.Result result = Tool.PROMTOOL.run(tmp, "test", "rules", "cafe.test.yml");
        assertThat(result.ok()).as(result.toString()).isFalse();
        assertThat(result.output()).contains("alertname: CafeErrorRatioHigh");
    }

    @Test
    @DisplayName("every alert has a unit test in which it fires and one in which it stays silent")
    void everyAlertFiresAndStaysSilent() {
        Set<String> fires = new HashSet<>();
        Set<String> silent = new HashSet<>();
        for (Path test : unitTestFiles()) {
            for (JsonNode group : Monitoring.yaml(test).path("tests")) {
                for (JsonNode check : group.path("alert_rule_test")) {
                    (check.path("exp_alerts").isEmpty() ? silent : fires).add(check.path("alertname").asText());
                }
            }
        }
        Set<String> alerts = alerts().keySet();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(17);
        assertThat(fires).as("alerts that a unit test makes fire").containsAll(alerts);
        assertThat(silent).as("alerts that a unit test keeps silent").containsAll(alerts);
    }

    @Test
    @DisplayName("every alert has a severity, a service, a summary, a description and a runbook section in docs/runbooks.md")
    void everyAlertIsActionable() {
        Set<String> anchors = anchors(Monitoring.read(RUNBOOKS));
        alerts().forEach((name, rule) -> {
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning");
            assertThat(rule.path("labels").has("service") || rule.path("expr").asText().contains("\"service\""))
                    .as(name + " names its service (for grouping and inhibition)").isTrue();
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name).isEqualTo("docs/runbooks.md#" + name.toLowerCase());
            assertThat(anchors).as(name + ": a section in docs/runbooks.md").contains(name.toLowerCase());
        });
    }

    /** Every alert of the local environment's rule files, by name. */
    static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (String file : Monitoring.RULE_FILES) {
            for (JsonNode group : Monitoring.yaml(Monitoring.config("local").resolve(file)).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        assertThat(alerts.put(rule.path("alert").asText(), rule)).as("one alert per name").isNull();
                    }
                }
            }
        }
        return alerts;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Matcher heading = Pattern.compile("(?m)^#{1,6} +(.+?) *$").matcher(markdown);
        while (heading.find()) {
            anchors.add(heading.group(1).toLowerCase().replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }

    private static List<Path> unitTestFiles() {
        try (Stream<Path> files = Files.list(UNIT_TESTS)) {
            List<Path> tests = new ArrayList<>(files.filter(f -> f.toString().endsWith(".test.yml")).sorted().toList());
            assertThat(tests).hasSize(3);
            return tests;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
