package dev.cafestack.tests.goals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NestedMaven against a stand-in {@code mvn} (a script in a temporary {@code maven.home} that prints its arguments,
 * working directory and cluster environment, and exits 3): what the nested build is given, not what Maven does with
 * it (the *IT tests of ci and tests/stack run the real one).
 */
class NestedMavenTest {

    @TempDir
    Path dir;

    private String mavenHome;
    private String repository;

    @BeforeEach
    void standInMaven() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("maven/bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), """
                #!/bin/sh
                echo "args: $*"
                echo "dir: $(pwd)"
                echo "KUBECONFIG=$KUBECONFIG"
                env | grep '^KUBERNETES_' || echo "no KUBERNETES_ variables"
                echo "MAVEN_OPTS=$MAVEN_OPTS"
                exit 3
                """);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        mavenHome = System.setProperty("maven.home", dir.resolve("maven").toString());
        repository = System.setProperty("cafe.local.repository", dir.resolve("repository").toString());
    }

    @AfterEach
    void restore() {
        restore("maven.home", mavenHome);
        restore("cafe.local.repository", repository);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    @DisplayName("runs mvn in the given directory, batch, with this build's local repository, and no cluster in reach")
    void runsWithNoClusterInReach() throws IOException {
        // The test JVM's own environment has a cluster in reach (the module's surefire configuration).
        assertThat(System.getenv()).containsKey("KUBERNETES_SERVICE_HOST").containsEntry("KUBECONFIG",
                "/home/developer/.kube/config");
        Path work = Files.createDirectories(dir.resolve("work"));
        NestedMaven.Result result = NestedMaven.in(work).run("no-cluster", "-N", "validate");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.command()).containsExactly(dir.resolve("maven/bin/mvn").toString(), "-B",
                "-Dstyle.color=never", "-Dmaven.repo.local=" + dir.resolve("repository"), "-N", "validate");
        assertThat(result.output()).contains("dir: " + work.toRealPath(), "no KUBERNETES_ variables")
                .contains("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        String kubeconfig = result.output().lines().filter(l -> l.startsWith("KUBECONFIG=")).findFirst().orElseThrow()
                .substring("KUBECONFIG=".length());
        assertThat(Path.of(kubeconfig)).as("the kubeconfig the nested build is given").doesNotExist();
        assertThat(Path.of("target/nested-maven/no-cluster.log")).hasContent(result.output());
    }

    @Test
    @DisplayName("offline, quiet and against a stand-in API server add -o, -q and that server as the only cluster")
    void offlineQuietAgainstAStandIn() {
        try (ApiServerStandIn apiServer = new ApiServerStandIn()) {
            NestedMaven.Result result = NestedMaven.in(dir).offline().quiet().against(apiServer)
                    .run("against", List.of("k8s:apply", "-P", "dev"));

            assertThat(result.command()).containsExactly(dir.resolve("maven/bin/mvn").toString(), "-o", "-B", "-q",
                    "-Dstyle.color=never", "-Dmaven.repo.local=" + dir.resolve("repository"),
                    "-Dkubernetes.master=" + apiServer.url(), "-Dkubernetes.auth.tryKubeConfig=false",
                    "-Dkubernetes.auth.tryServiceAccount=false", "k8s:apply", "-P", "dev");
            assertThat(result.describe()).contains("exit 3 after", "args: -o -B -q");
        }
    }

    @Test
    @DisplayName("names the missing system property and how to run the test when it runs outside Maven")
    void namesAMissingSystemProperty() {
        System.clearProperty("cafe.local.repository");

        assertThatThrownBy(() -> NestedMaven.in(dir).run("unset", "validate")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("System property cafe.local.repository is not set: run this test through Maven");
    }
}
