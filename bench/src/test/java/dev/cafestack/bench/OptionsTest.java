package dev.cafestack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    @Test
    @DisplayName("runs obs-on on another JVM when one is named, obs-off on the services' own, and refuses a JVM that is not there")
    void runsObsOnOnAnotherJvm() throws IOException {
        record("mocha", "/base/usr/lib/jvm/bin/java");
        record("latte", "/base/usr/lib/jvm/bin/java");
        Path other = Files.createDirectories(root.resolve("jdk-25/bin")).resolve("java");
        Files.writeString(other, "#!/bin/sh\n");
        other.toFile().setExecutable(true);

        Options same = Options.parse("--root=" + root);
        assertThat(List.of(same.java("obs-off"), same.java("obs-on"), same.java("latte-down")))
                .containsOnly("/base/usr/lib/jvm/bin/java");

        Options two = Options.parse("--root=" + root, "--obs-on-java=" + other);
        assertThat(two.java("obs-off")).isEqualTo("/base/usr/lib/jvm/bin/java");
        assertThat(two.java("obs-on")).isEqualTo(other.toString());
        assertThat(two.java("latte-down")).isEqualTo(other.toString());

        assertThatThrownBy(() -> Options.parse("--root=" + root, "--obs-on-java=" + root.resolve("jdk-26/bin/java")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dbench.obs-on-java").hasMessageContaining("jdk-26/bin/java")
                .hasMessageContaining("not an executable file");
    }

    @Test
    @DisplayName("keeps the image's flags and archive, and an archive chosen for obs-on replaces the image's in obs-on only")
    void anArchiveChosenForObsOnReplacesTheImagesThere() throws IOException {
        record("mocha", "/base/usr/lib/jvm/bin/java");
        record("latte", "/base/usr/lib/jvm/bin/java");
        List<String> image = List.of("-XX:+UseSerialGC", "-XX:SharedArchiveFile=app-cds.jsa", "-Xlog:cds*=off");
        List<String> container = List.of("-XX:MaxRAM=335544320");

        Options plain = Options.parse("--root=" + root, "--jvm-args=-Xlog:gc:file=/tmp/{config}-{service}.log");
        assertThat(plain.jvmFlags("obs-on", "mocha", image, container)).containsExactly("-XX:+UseSerialGC",
                "-XX:SharedArchiveFile=app-cds.jsa", "-Xlog:cds*=off", "-XX:MaxRAM=335544320",
                "-Xlog:gc:file=/tmp/obs-on-mocha.log");

        Options aot = Options.parse("--root=" + root,
                "--obs-on-jvm-args=-XX:+UseCompactObjectHeaders -XX:AOTCache=/tmp/{service}.aot");
        assertThat(aot.jvmFlags("obs-off", "latte", image, container)).containsExactly("-XX:+UseSerialGC",
                "-XX:SharedArchiveFile=app-cds.jsa", "-Xlog:cds*=off", "-XX:MaxRAM=335544320");
        assertThat(aot.jvmFlags("obs-on", "latte", image, container)).containsExactly("-XX:+UseSerialGC",
                "-Xlog:cds*=off", "-XX:MaxRAM=335544320", "-XX:+UseCompactObjectHeaders", "-XX:AOTCache=/tmp/latte.aot");
        assertThat(aot.jvmFlags("latte-down", "mocha", image, container)).doesNotContain("-XX:SharedArchiveFile=app-cds.jsa")
                .contains("-XX:AOTCache=/tmp/mocha.aot");

        Options none = Options.parse("--root=" + root, "--jvm-args=-Xshare:off");
        assertThat(none.jvmFlags("obs-off", "mocha", image, container)).doesNotContain("-XX:SharedArchiveFile=app-cds.jsa")
                .endsWith("-Xshare:off");
    }

    @Test
    @DisplayName("waits up to 10 s for idle CPUs before each launch by default, as long as asked, not at all with 0, and refuses a wait that is no duration or too short to end idle")
    void waitsForIdleCpusBeforeEachLaunch() {
        assertThat(Options.parse("--root=" + root).idleWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(Options.parse("--root=" + root, "--idle-wait=2500ms").idleWait()).isEqualTo(Duration.ofMillis(2500));
        assertThat(Options.parse("--root=" + root, "--idle-wait=0").idleWait()).isZero();
        assertThat(Options.parse("--root=" + root, "--idle-wait=0s").idleWait()).isZero();
        assertThatThrownBy(() -> Options.parse("--root=" + root, "--idle-wait=ten"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--idle-wait").hasMessageContaining("ten");
        // Shorter than two windows could never end idle.
        assertThatThrownBy(() -> Options.parse("--root=" + root, "--idle-wait=300ms"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 400ms");
    }

    @Test
    @DisplayName("marks the environment's share of orders sampled by default, another share from 0 to 1 when asked, and refuses anything else")
    void loadSamplingIsTheEnvironmentsUnlessAsked() {
        assertThat(Options.parse("--root=" + root).loadSampling()).isEmpty();
        assertThat(Options.parse("--root=" + root, "--load-sampling=").loadSampling()).isEmpty();
        assertThat(Options.parse("--root=" + root, "--load-sampling=0").loadSampling()).isEqualTo("0");
        assertThat(Options.parse("--root=" + root, "--load-sampling=0.25").loadSampling()).isEqualTo("0.25");
        assertThat(Options.parse("--root=" + root, "--load-sampling=1").loadSampling()).isEqualTo("1");
        assertThat(Options.parse("--root=" + root, "--load-sampling=.5").loadSampling()).isEqualTo(".5");
        for (String bad : List.of("1.5", "-0.1", "five", "NaN", "0x1p-2", "0.5d")) {
            assertThatThrownBy(() -> Options.parse("--root=" + root, "--load-sampling=" + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--load-sampling")
                    .hasMessageContaining("a ratio from 0 to 1").hasMessageContaining("got: " + bad);
        }
    }

    @Test
    @DisplayName("marks obs-off's orders at a share of their own only when obs-off traces, and refuses a share that is not a ratio")
    void obsOffLoadSamplingNeedsObsOffTracing() {
        String tracing = "--obs-off-env=QUARKUS_OTEL_SDK_DISABLED=false,QUARKUS_LOG_CONSOLE_JSON_ENABLED=true,CAFE_METRICS_ENABLED=true";
        assertThat(Options.parse("--root=" + root).obsOffLoadSampling()).isEmpty();
        assertThat(Options.parse("--root=" + root, tracing, "--obs-off-load-sampling=0").obsOffLoadSampling()).isEqualTo("0");
        assertThat(Options.parse("--root=" + root, tracing, "--load-sampling=0.01", "--obs-off-load-sampling=0.25"))
                .satisfies(o -> assertThat(o.loadSampling()).isEqualTo("0.01"))
                .satisfies(o -> assertThat(o.obsOffLoadSampling()).isEqualTo("0.25"));
        // obs-off with its tracing off (the default, or switched off again) would ignore the share.
        for (List<String> off : List.of(List.<String>of(), List.of("--obs-off-env=QUARKUS_OTEL_SDK_DISABLED=true"),
                List.of("--obs-off-env=CAFE_METRICS_ENABLED=true"))) {
            List<String> args = new ArrayList<>(off);
            args.add("--root=" + root);
            args.add("--obs-off-load-sampling=0");
            assertThatThrownBy(() -> Options.parse(args.toArray(String[]::new))).as(off.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("obs-off traces nothing")
                    .hasMessageContaining("--obs-off-env=QUARKUS_OTEL_SDK_DISABLED=false");
        }
        // ...nor when obs-off does not run.
        assertThatThrownBy(() -> Options.parse("--root=" + root, tracing, "--configs=obs-on,latte-down", "--obs-off-load-sampling=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--configs=obs-on,latte-down runs no obs-off");
        assertThatThrownBy(() -> Options.parse("--root=" + root, tracing, "--obs-off-load-sampling=2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--obs-off-load-sampling")
                .hasMessageContaining("a ratio from 0 to 1").hasMessageContaining("--load-sampling's; got: 2");
    }

    @Test
    @DisplayName("runs three rounds by default, as many as asked, and refuses fewer than one")
    void roundsDefaultToThreeAndMustBePositive() {
        assertThat(Options.parse("--root=" + root).rounds()).isEqualTo(3);
        assertThat(Options.parse("--root=" + root, "--rounds=1").rounds()).isEqualTo(1);
        assertThatThrownBy(() -> Options.parse("--root=" + root, "--rounds=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rounds")
                .hasMessageContaining("at least 1; got: 0");
    }

    @Test
    @DisplayName("times five launches of each service by default, as many as asked, and refuses fewer than one, or more "
            + "than one of a JVM that writes its class data archive on exit")
    void launchesEachServiceToTimeItsStart() {
        assertThat(Options.parse("--root=" + root).launches()).isEqualTo(5);
        assertThat(Options.parse("--root=" + root, "--launches=1").launches()).isEqualTo(1);
        assertThatThrownBy(() -> Options.parse("--root=" + root, "--launches=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--launches")
                .hasMessageContaining("at least 1; got: 0");
        // A JVM that writes its archive on exit would write it at every stopped launch: once only.
        for (String writer : List.of("-XX:AOTCacheOutput=/tmp/{service}.aot", "-XX:ArchiveClassesAtExit=/tmp/{service}.jsa",
                "-XX:AOTMode=record", "-XX:+AutoCreateSharedArchive")) {
            for (String option : List.of("--jvm-args=", "--obs-on-jvm-args=")) {
                assertThatThrownBy(() -> Options.parse("--root=" + root, option + "-Xlog:gc " + writer))
                        .as(option + writer).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(writer)
                        .hasMessageContaining("--launches=1 --rounds=1");
            }
            // ...and at every round's end, when the next round stops it.
            for (String option : List.of("--jvm-args=", "--obs-on-jvm-args=")) {
                assertThatThrownBy(() -> Options.parse("--root=" + root, "--launches=1", "--rounds=2", option + writer))
                        .as("2 rounds " + option + writer).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(writer).hasMessageContaining("each round's JVMs are stopped before the next round's")
                        .hasMessageContaining("--launches=1 --rounds=1");
            }
        }
        assertThat(Options.parse("--root=" + root, "--launches=1", "--rounds=1",
                "--obs-on-jvm-args=-XX:AOTCacheOutput=/tmp/{service}.aot").launches()).isEqualTo(1);
    }

    private void record(String service, String java) throws IOException {
        Path target = Files.createDirectories(root.resolve("services").resolve(service).resolve("target"));
        Files.writeString(target.resolve(ImageJvm.RECORD), java + "\n");
    }
}
