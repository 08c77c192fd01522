package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.cafestack.tests.goals.NestedMaven;

/**
 * The deploy command's one precondition besides the rendered manifests, on Maven 3.8 and 3.9: {@code mvn k8s:apply} runs no
 * lifecycle phase, and JKube's apply goal resolves the project's compile+runtime dependencies, so latte's and mocha's
 * dependency on cafe-api is resolved from the local repository (Maven 3 takes a module's target/ only when that
 * module ran its compile phase in the same run). A person deploys after {@code mvn install}; this test runs inside
 * {@code mvn verify}, so where the local repository does not hold the very jar this build just made (none yet, or one
 * of an older build: a stale library would run the nested build with other code) it installs that jar
 * (install:install-file; nothing is rebuilt) and says so.
 */
final class LocalRepository {

    private LocalRepository() {
    }

    static void holdsTheLibrariesOfModulesWithManifests() {
        Path repository = Path.of(NestedMaven.required("cafe.local.repository"));
        String version = NestedMaven.required("cafe.version");
        // The libraries' parent, the root pom, goes first: without it their descriptors cannot be read.
        Path pom = NestedMaven.root().resolve("pom.xml");
        if (!holds(repository.resolve("dev/cafestack/cafe-stack").resolve(version).resolve("cafe-stack-" + version + ".pom"),
                pom)) {
            System.out.printf("cafe-stack in the local repository %s is missing or another build's: installing %s (what mvn"
                    + " install would do)%n", repository, pom);
            NestedMaven.Result install = NestedMaven.in(NestedMaven.root()).quiet().run("install-cafe-stack",
                    "-N", "install:install-file", "-Dfile=" + pom, "-DpomFile=" + pom, "-Dpackaging=pom");
            assertThat(install.exitCode()).as(install.describe()).isZero();
        }
        for (String module : Reactor.librariesOfModulesWithManifests()) {
            String artifactId = Reactor.artifactId(module);
            String file = artifactId + "-" + version + ".jar";
            Path jar = NestedMaven.root().resolve(module).resolve("target").resolve(file);
            assertThat(jar).as("%s, built by this build", module).isRegularFile();
            Path installed = repository.resolve("dev/cafestack").resolve(artifactId).resolve(version);
            Path modulePom = NestedMaven.root().resolve(module).resolve("pom.xml");
            if (holds(installed.resolve(file), jar)
                    && holds(installed.resolve(artifactId + "-" + version + ".pom"), modulePom)) {
                continue;
            }
            System.out.printf("%s in the local repository %s is missing or another build's: installing %s (what mvn install"
                    + " would do)%n", artifactId, repository, jar);
            NestedMaven.Result install = NestedMaven.in(NestedMaven.root()).quiet().run("install-" + artifactId,
                    "-N", "install:install-file", "-Dfile=" + jar,
                    "-DpomFile=" + modulePom);
            assertThat(install.exitCode()).as(install.describe()).isZero();
        }
    }

    /** Whether the repository's file is there with the same bytes as this build's. */
    private static boolean holds(Path installed, Path built) {
        try {
            return Files.isRegularFile(installed) && Files.mismatch(installed, built) == -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
