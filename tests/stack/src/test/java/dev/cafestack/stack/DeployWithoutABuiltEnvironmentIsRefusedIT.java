package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.tests.goals.ApiServerStandIn;
import dev.cafestack.tests.goals.NestedMaven;

/**
 * The deploy guard (root pom: cafe.deploy.guard and the kubernetes-maven-plugin's default-cli execution): a deploy
 * that does not name an environment, names one that does not exist, or names one that was never built, stops at the
 * root project while Maven configures the goal, before any module is deployed and before JKube reads a kubeconfig or
 * contacts an API server. Checked against a stand-in for a kube-apiserver that would accept anything.
 */
@DisplayName("A deploy to a stand-in for a kube-apiserver")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeployWithoutABuiltEnvironmentIsRefusedIT {

    private static final String NO_ENVIRONMENT = "NO ENVIRONMENT SELECTED: deploy with one of -P local, -P dev, "
            + "-P test, -P prod (an unknown -P name selects none; see README.md)";

    private ApiServerStandIn apiServer;

    @BeforeAll
    void start() {
        apiServer = new ApiServerStandIn();
    }

    @AfterAll
    void stop() {
        apiServer.close();
    }

    @Test
    @DisplayName("is refused when mvn k8s:apply names no environment, and the refusal lists the environments")
    void applyWithoutEnvironment() {
        NestedMaven.Result result = refused("k8s-apply-no-env", NestedMaven.root(), "k8s:apply");

        assertThat(result.plainOutput()).contains(NO_ENVIRONMENT);
        assertNamesEveryEnvironment(result);
    }

    @Test
    @DisplayName("is refused when mvn k8s:apply names an environment that does not exist (-P nope)")
    void applyWithUnknownEnvironment() {
        NestedMaven.Result result = refused("k8s-apply-nope", NestedMaven.root(), "k8s:apply", "-P", "nope");

        assertThat(result.plainOutput()).contains(NO_ENVIRONMENT);
        assertNamesEveryEnvironment(result);
    }

    @Test
    @DisplayName("is refused when mvn k8s:undeploy names no environment (it used to succeed, doing nothing)")
    void undeployWithoutEnvironment() {
        NestedMaven.Result result = refused("k8s-undeploy-no-env", NestedMaven.root(), "k8s:undeploy");

        assertThat(result.plainOutput()).contains(NO_ENVIRONMENT);
    }

    @Test
    @DisplayName("is refused when mvn k8s:apply -P prod runs before anything was built, saying to build prod first")
    void applyBeforeBuild(@TempDir Path freshClone) throws IOException {
        copyPomsAndEnvironments(NestedMaven.root(), freshClone);

        NestedMaven.Result result = refused("k8s-apply-prod-not-built", freshClone, "k8s:apply", "-P", "prod");

        assertThat(result.plainOutput())
                .contains("NOT BUILT: the prod manifests (target/cafe/prod/kubernetes.yml) do not exist yet")
                .contains("build first with ./mvnw install -P prod, then deploy with ./mvnw k8s:apply -P prod");
    }

    /** Runs the command, expects it to fail at the root project, and the API server never to have been contacted. */
    private NestedMaven.Result refused(String logName, Path workDir, String... arguments) {
        int requestsBefore = apiServer.requestCount();
        NestedMaven.Result result = NestedMaven.in(workDir).offline().quiet().against(apiServer)
                .run(logName, arguments);
        System.out.printf("mvn %s took %d ms%n", String.join(" ", arguments), result.took().toMillis());

        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.plainOutput()).as(result.describe())
                .contains("[ERROR] Failed to execute goal org.eclipse.jkube:kubernetes-maven-plugin")
                .contains("on project cafe-stack: ");
        assertThat(apiServer.requestCount()).as("requests that reached the API server").isEqualTo(requestsBefore);
        assertThat(apiServer.client().namespaces().list().getItems()).as("namespaces").isEmpty();
        assertThat(apiServer.client().apps().deployments().inAnyNamespace().list().getItems()).as("deployments")
                .isEmpty();
        return result;
    }

    private static void assertNamesEveryEnvironment(NestedMaven.Result result) {
        List<String> environments = Arrays.asList(NestedMaven.required("cafe.envs").split(","));
        assertThat(environments).containsExactly("local", "dev", "test", "prod");
        environments.forEach(env -> assertThat(result.plainOutput()).contains("-P " + env));
    }

    /** What a fresh clone has for Maven to read: every pom of the reactor and the environment files; no target/. */
    private static void copyPomsAndEnvironments(Path root, Path target) throws IOException {
        Files.copy(root.resolve("pom.xml"), target.resolve("pom.xml"));
        for (String module : Reactor.modules()) {
            Files.createDirectories(target.resolve(module));
            Files.copy(root.resolve(module).resolve("pom.xml"), target.resolve(module).resolve("pom.xml"));
        }
        Files.createDirectories(target.resolve("environments"));
        try (Stream<Path> files = Files.list(root.resolve("environments"))) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve("environments").resolve(file.getFileName()));
            }
        }
    }
}
