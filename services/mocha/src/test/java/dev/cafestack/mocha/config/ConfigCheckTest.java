package dev.cafestack.mocha.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check the build runs on every environment's mocha.yaml (and mocha at startup): file, key and reason. */
class ConfigCheckTest {

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

    @TempDir
    Path dir;

    @Test
    @DisplayName("every environment's committed mocha.yaml passes")
    void committedFilesPass() {
        Path configs = Path.of("src/main/config");
        for (String env : System.getProperty("cafe.envs", "local,dev,test,prod").split(",")) {
            assertThat(ConfigCheck.check(configs.resolve(env).resolve("mocha.yaml"))).as(env).isEmpty();
        }
    }

    @Test
    @DisplayName("a good file has no problems")
    void goodFile() throws IOException {
        assertThat(ConfigCheck.check(write(GOOD))).isEmpty();
    }

    @Test
    @DisplayName("broken YAML is reported with the file, line and column")
    void brokenYaml() throws IOException {
        Path file = write(GOOD.replace("currency: EUR", "currency: [EUR"));
        List<String> problems = ConfigCheck.check(file);
        assertThat(problems).singleElement().asString()
                .startsWith(file + ": ")
                .containsPattern("line \\d+, column \\d+");
    }

    @Test
    @DisplayName("an unknown key is reported by name and line")
    void unknownKey() throws IOException {
        Path file = write(GOOD.replace("max-notes-length: 50", "max-notes-length: 50\n    max-cups: 3"));
        assertThat(ConfigCheck.check(file)).singleElement().asString()
                .startsWith(file + ": ").contains("mocha.orders.max-cups").contains("does not map").endsWith("(line 12)");
    }

    @Test
    @DisplayName("a value of the wrong type is reported with the key, the value and the line")
    void wrongType() throws IOException {
        Path file = write(GOOD.replace("max-notes-length: 50", "max-notes-length: fifty"));
        assertThat(ConfigCheck.check(file)).singleElement().asString()
                .contains("mocha.orders.max-notes-length").contains("fifty").endsWith("(line 11)");
    }

    @Test
    @DisplayName("a missing required key is reported by name, with the line of the key that should hold it")
    void missingKey() throws IOException {
        Path file = write(GOOD.replace("    currency: EUR\n", ""));
        // The line of the enclosing key that is there (menu), since the missing key has none.
        assertThat(ConfigCheck.check(file)).singleElement().asString().contains("mocha.menu.currency")
                .endsWith("(line 2)");
    }

    @Test
    @DisplayName("rules types cannot express are reported with key and fix: prices, names, currency, deadline")
    void rules() throws IOException {
        Path file = write(GOOD.replace("small: 3.20", "small: -1").replace("EUR", "euro")
                .replace("deadline: 750ms", "deadline: 1m").replace("latte:\n        small", "Latte!:\n        small"));
        assertThat(ConfigCheck.check(file)).containsExactlyInAnyOrder(
                file + ": mocha.menu.currency: 'euro' is not a three-letter ISO 4217 code such as EUR (line 3)",
                file + ": mocha.menu.drinks.Latte!: drink names are lower-case words joined by '-', e.g. flat-white (line 5)",
                file + ": mocha.menu.drinks.Latte!.small: price -1 must be positive with at most two decimals (line 6)",
                file + ": mocha.latte.deadline: PT1M is outside 10ms..10s (line 9)");
    }

    @Test
    @DisplayName("a price that is not a number is reported with the key, the value, the fix and the line")
    void priceNotANumber() throws IOException {
        Path file = write(GOOD.replace("small: 3.20", "small: three"));
        assertThat(ConfigCheck.check(file)).singleElement().asString().startsWith(file + ": ")
                .contains("mocha.menu.drinks.latte.small").contains("'three' is not a price; write a decimal number such as 3.20")
                .endsWith("(line 6)");
    }

    @Test
    @DisplayName("a price with more than two decimals is reported by the price rule")
    void priceWithThreeDecimals() throws IOException {
        Path file = write(GOOD.replace("large: 4.00", "large: 4.005"));
        assertThat(ConfigCheck.check(file)).containsExactly(
                file + ": mocha.menu.drinks.latte.large: price 4.005 must be positive with at most two decimals (line 7)");
    }

    @Test
    @DisplayName("a missing environment file is reported")
    void missingFile() {
        Path file = dir.resolve("prod/mocha.yaml");
        assertThat(ConfigCheck.check(file)).containsExactly(file + ": missing; every environment needs its mocha.yaml");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("mocha.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
