package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The deploy command's one precondition besides the rendered manifests, on Maven 3.8 and 3.9: {@code mvn k8s:apply} runs no
 * lifecycle phase, and JKube's apply goal resolves the project's compile+runtime dependencies, so latte's and mocha's
 * dependency on cafe-api is resolved from the local repository (Maven 3 takes a module's target/ only when that
 * module ran its compile phase in the same run). A person deploys after {@code mvn install}; this test runs inside
 * {@code mvn verify}, so on a machine whose local repository has no cafe-api yet it installs the jar this build just
 * made (install:install-file; nothing is rebuilt), once, and says so.
 */
final class LocalRepository {

    private LocalRepository() {
    }

    static void holdsTheLibrariesOfModulesWithManifests() {
        Path repository = Path.of(NestedMaven.required("cafe.local.repository"));
        String version = NestedMaven.required("cafe.version");
        // The libraries' parent, the root pom, goes first: without it their descriptors cannot be read.
        if (!Files.isRegularFile(repository.resolve("dev/cafestack/cafe-stack").resolve(version)
                .resolve("cafe-stack-" + version + ".pom"))) {
            Path pom = NestedMaven.root().resolve("pom.xml");
            System.out.printf("cafe-stack is not in the local repository %s: installing %s (what mvn install would do)%n",
                    repository, pom);
            NestedMaven.Result install = NestedMaven.runWithoutCluster(NestedMaven.root(), "install-cafe-stack",
                    "-N", "install:install-file", "-Dfile=" + pom, "-DpomFile=" + pom, "-Dpackaging=pom");
            assertThat(install.exitCode()).as(install.describe()).isZero();
        }
        for (String module : Reactor.librariesOfModulesWithManifests()) {
            String artifactId = Reactor.artifactId(module);
            String file = artifactId + "-" + version + ".jar";
            if (Files.isRegularFile(repository.resolve("dev/cafestack").resolve(artifactId).resolve(version).resolve(file))) {
                continue;
            }
            Path jar = NestedMaven.root().resolve(module).resolve("target").resolve(file);
            assertThat(jar).as("%s, built by this build", module).isRegularFile();
            System.out.printf("%s is not in the local repository %s: installing %s (what mvn install would do)%n",
                    artifactId, repository, jar);
            NestedMaven.Result install = NestedMaven.runWithoutCluster(NestedMaven.root(), "install-" + artifactId,
                    "-N", "install:install-file", "-Dfile=" + jar,
                    "-DpomFile=" + NestedMaven.root().resolve(module).resolve("pom.xml"));
            assertThat(install.exitCode()).as(install.describe()).isZero();
        }
    }
}
