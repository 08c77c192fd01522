package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.localrun.ImageJvm;

class OptionsTest {

    @TempDir
    Path root;

    @Test
    @DisplayName("runs the services with the JVM that wrote their class data archives, unless another is named")
    void runsTheJvmThatWroteTheArchives() throws IOException {
        record("mocha", "/base/usr/lib/jvm/bin/java");
        record("latte", "/base/usr/lib/jvm/bin/java");

        assertThat(Options.parse("--root=" + root).java()).isEqualTo("/base/usr/lib/jvm/bin/java");
        assertThat(Options.parse("--root=" + root, "--java=/opt/other/bin/java").java()).isEqualTo("/opt/other/bin/java");
    }

    @Test
    @DisplayName("runs Maven's JVM when no archive JVM is recorded, and refuses archives written by two JVMs")
    void refusesArchivesOfTwoJvms() throws IOException {
        assertThat(Options.parse("--root=" + root).java()).isEqualTo(ImageJvm.host().toString());

        record("mocha", "/base/usr/lib/jvm/bin/java");
        record("latte", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        assertThatThrownBy(() -> Options.parse("--root=" + root)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mocha's archive was written by /base/usr/lib/jvm/bin/java and latte's by "
                        + "/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
                .hasMessageContaining("-Dbench.java");
    }

    private void record(String service, String java) throws IOException {
        Path target = Files.createDirectories(root.resolve("services").resolve(service).resolve("target"));
        Files.writeString(target.resolve(ImageJvm.RECORD), java + "\n");
    }
}
