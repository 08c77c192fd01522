package dev.cafestack.mocha;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged mocha refuses to start on a broken mocha.yaml, with the same messages as the build's check. */
class StartupRejectsABrokenConfigIT {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the packaged app exits at startup naming the file, the key and the reason of a broken mocha.yaml")
    void refusesToStart() throws IOException, InterruptedException {
        Path config = dir.resolve("mocha.yaml");
        Files.writeString(config, """
                mocha:
                  menu:
                    currency: EUR
                    drinks:
                      latte:
                        small: -1
                  latte:
                    deadline: 1s
                  orders:
                    max-notes-length: 10
                """);
        Path log = dir.resolve("mocha.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0", "-jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MOCHA_CONFIG", config.toString());
        Process mocha = builder.start();
        try {
            assertThat(mocha.waitFor(60, TimeUnit.SECONDS)).as("mocha exits by itself").isTrue();
            assertThat(mocha.exitValue()).isNotZero();
            assertThat(Files.readString(log)).contains(
                    config + ": mocha.menu.drinks.latte.small: price -1 must be positive with at most two decimals");
        } finally {
            mocha.destroyForcibly();
        }
    }
}
