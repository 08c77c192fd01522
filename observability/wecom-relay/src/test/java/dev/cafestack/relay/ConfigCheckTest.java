package dev.cafestack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.relay.config.ConfigCheck;
import dev.cafestack.relay.core.Matcher;
import dev.cafestack.relay.core.Router;

@DisplayName("relay.yaml and routing")
class ConfigCheckTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("every environment's relay.yaml passes the check the build and the startup run")
    void environmentsAreValid() {
        for (String env : System.getProperty("cafe.envs", "local,dev,test,prod").split(",")) {
            assertThat(ConfigCheck.check(Path.of("src/main/config", env, "relay.yaml"))).as(env).isEmpty();
        }
    }

    @Test
    @DisplayName("a broken file is reported with the file, the key and the reason")
    void brokenFile() throws Exception {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, """
                relay:
                  time-zone: Mars/Olympus
                  robots: [ops, Ops]
                  routes:
                    - matchers: ['severity=="critical"']
                      robots: [nobody]
                  default-robots: [ops]
                  mentions: {}
                  rate:
                    per-minute: 30
                  retry:
                    initial: 1s
                    max: 1s
                  colour: red
                """);
        assertThat(ConfigCheck.check(file)).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith(file.toString()));
        Files.writeString(file, Files.readString(file).replace("  colour: red\n", ""));
        assertThat(String.join("\n", ConfigCheck.check(file))).contains(
                "relay.time-zone: 'Mars/Olympus' is not a time zone id",
                "relay.robots: 'Ops' must be a lower-case name",
                "relay.routes[0].matchers: 'severity==\"critical\"' is not a label matcher",
                "relay.routes[0].robots: 'nobody' is not one of relay.robots",
                "relay.rate.per-minute: 30 is outside 1..20");
    }

    @Test
    @DisplayName("a problem in a route names the route's key and its line in the file")
    void problemsHaveLines() throws Exception {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, Files.readString(Path.of("src/main/config/prod/relay.yaml"))
                .replace("robots: [cafe-team]", "robots: [cafe-tea]"));
        int line = Files.readAllLines(file).indexOf("      robots: [cafe-tea]") + 1;
        assertThat(ConfigCheck.check(file)).containsExactly(
                file + ": relay.routes[1].robots: 'cafe-tea' is not one of relay.robots [ops, cafe-team] (line " + line + ")");
    }

    @Test
    @DisplayName("routes by label matchers: first match wins unless it says continue; no match goes to the default robots")
    void routes() throws Exception {
        Router router = new Router(ConfigCheck.read(Path.of("src/test/resources/relay.yaml")));
        assertThat(router.robots(Map.of("severity", "critical", "namespace", "ecp-cafe"))).containsExactly("ops", "cafe-team");
        assertThat(router.robots(Map.of("severity", "warning", "namespace", "istio-system"))).containsExactly("cafe-team");
        assertThat(router.robots(Map.of("severity", "warning", "namespace", "ecp-cafe-2"))).as("regex is anchored")
                .containsExactly("ops");
        assertThat(router.robots(Map.of())).containsExactly("ops");
        assertThat(Matcher.parse("team!~\"a|b\"").matches(Map.of("team", "c"))).isTrue();
        assertThat(Matcher.parse("team!=\"\"").matches(Map.of())).isFalse();
    }
}
