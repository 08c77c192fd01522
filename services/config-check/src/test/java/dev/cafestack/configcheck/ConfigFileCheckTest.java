package dev.cafestack.configcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration file checked as its service reads it: each problem with the file, the key and the line. */
class ConfigFileCheckTest {

    private static final String GOOD = """
            shop:
              currency: EUR
              deadline: 750ms
              routes:
                - robots: [ops]
                - robots:
                    - ops
                    - oncall
            """;

    private final ConfigFileCheck<ShopConfig> check = new ConfigFileCheck<>(ShopConfig.class, ShopConfig::rules);

    @TempDir
    Path dir;

    @Test
    @DisplayName("a good file has no problems, and reads with Quarkus' duration syntax")
    void goodFile() throws IOException {
        Path file = write("shop.yaml", GOOD);
        assertThat(check.check(file)).isEmpty();
        assertThat(check.read(file).deadline()).isEqualTo(Duration.ofMillis(750));
        assertThat(check.read(file).routes().get(1).robots()).containsExactly("ops", "oncall");
    }

    @Test
    @DisplayName("a rule's problem ends with the line of its key, also inside a list item")
    void ruleProblemsHaveLines() throws IOException {
        Path file = write("shop.yaml", GOOD.replace("EUR", "euro").replace("- oncall", "- OnCall"));
        assertThat(check.check(file)).containsExactly(
                file + ": shop.currency: 'euro' is not a three-letter code such as EUR (line 2)",
                file + ": shop.routes[1].robots: 'OnCall' must be a lower-case name (line 6)");
    }

    @Test
    @DisplayName("an unknown key is refused by name and line")
    void unknownKey() throws IOException {
        Path file = write("shop.yaml", GOOD.replace("  deadline: 750ms\n", "  deadline: 750ms\n  colour: red\n"));
        assertThat(check.check(file)).singleElement().asString()
                .startsWith(file + ": ").contains("shop.colour").endsWith("(line 4)");
    }

    @Test
    @DisplayName("a value of the wrong type is reported with the key, the value and the line")
    void wrongType() throws IOException {
        Path file = write("shop.yaml", GOOD.replace("750ms", "soon"));
        assertThat(check.check(file)).singleElement().asString()
                .contains("shop.deadline").contains("soon").endsWith("(line 3)");
    }

    @Test
    @DisplayName("a missing required key is reported with the line of the key that should hold it")
    void missingKey() throws IOException {
        Path file = write("shop.yaml", GOOD.replace("  currency: EUR\n", ""));
        assertThat(check.check(file)).singleElement().asString().contains("shop.currency").endsWith("(line 1)");
    }

    @Test
    @DisplayName("broken YAML is reported on one line with its line and column")
    void brokenYaml() throws IOException {
        Path file = write("shop.yaml", GOOD.replace("[ops]", "[ops"));
        assertThat(check.check(file)).singleElement().asString()
                .startsWith(file + ": ").containsPattern("line \\d+, column \\d+").doesNotContain("\n");
    }

    @Test
    @DisplayName("a missing file is named with the file each environment needs")
    void missingFile() {
        Path file = dir.resolve("prod/shop.yaml");
        assertThat(check.check(file)).containsExactly(file + ": missing; every environment needs its shop.yaml");
    }

    @Test
    @DisplayName("the build's check fails naming every bad environment's file, and passes good ones")
    void environments() throws IOException {
        write("dev/shop.yaml", GOOD);
        write("prod/shop.yaml", GOOD.replace("750ms", "1m"));
        check.checkEnvironments(dir, "dev");
        assertThatThrownBy(() -> check.checkEnvironments(dir, "dev,prod,test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("prod/shop.yaml") + ": shop.deadline: PT1M is above 10s (line 3)")
                .hasMessageContaining(dir.resolve("test/shop.yaml") + ": missing")
                .hasMessageNotContaining("dev/shop.yaml");
    }

    @Test
    @DisplayName("a class that is not a configuration mapping is refused")
    void notAMapping() {
        assertThatThrownBy(() -> new ConfigFileCheck<>(String.class, s -> java.util.List.of()))
                .hasMessageContaining("java.lang.String is not a @ConfigMapping");
    }

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return file;
    }
}
