package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.tests.goals.NestedMaven;

/**
 * The build's own config check (services/mocha, exec:java@check-config, bound to process-classes), run for real on
 * a copy of every environment's mocha.yaml: a broken file fails the build naming the file, the key and the reason.
 */
@DisplayName("The build's check of mocha.yaml")
class BrokenConfigFailsTheBuildIT {

    private static final Path CONFIGS = Stack.ROOT.resolve("services/mocha/src/main/config");

    @TempDir
    Path copy;

    @BeforeAll
    static void librariesInstalled() {
        LocalRepository.holdsTheLibrariesOfModulesWithManifests();
    }

    @Test
    @DisplayName("passes the committed files of every environment")
    void passesCommittedFiles() throws IOException {
        copyEnvironments();
        NestedMaven.Result result = check("check-config-good");
        assertThat(result.exitCode()).as(result.describe()).isZero();
    }

    @Test
    @DisplayName("fails the build on broken files, naming each file, the key and the reason")
    void failsOnBrokenFile() throws IOException {
        copyEnvironments();
        Path dev = copy.resolve("dev/mocha.yaml");
        Files.writeString(dev, Files.readString(dev).replace("max-notes-length: 140", "max-notes-length: 140\n    max-cups: 3"));
        Path test = copy.resolve("test/mocha.yaml");
        Files.writeString(test, Files.readString(test).replace("small: 3.20", "small: -3.20"));

        NestedMaven.Result result = check("check-config-broken");

        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.plainOutput())
                .contains("[mocha config] " + dev + ": SRCFG00050: mocha.orders.max-cups")
                .contains("[mocha config] " + test + ": mocha.menu.drinks.flat-white.small: price -3.20 must be positive"
                        + " with at most two decimals")
                .doesNotContain(copy.resolve("prod/mocha.yaml") + ":")
                .doesNotContain(copy.resolve("local/mocha.yaml") + ":");
    }

    private NestedMaven.Result check(String log) {
        return NestedMaven.in(Stack.ROOT).quiet().run(log, "-o", "-pl", "services/mocha",
                "exec:java@check-config", "-Dmocha.config.dir=" + copy);
    }

    private void copyEnvironments() throws IOException {
        for (String env : Stack.environments()) {
            Path target = Files.createDirectories(copy.resolve(env)).resolve("mocha.yaml");
            Files.copy(CONFIGS.resolve(env).resolve("mocha.yaml"), target);
        }
    }
}
