package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's JVM flags as the training run and bench/ read them: the root pom's Jib entrypoint, resolved with the
 * service pom's properties, as Maven resolves the plugin configuration a service inherits.
 */
class DeploymentsTest {

    @TempDir
    Path dir;

    Path root;

    @BeforeEach
    void writeTheRootPom() throws IOException {
        root = Files.writeString(dir.resolve("pom.xml"), """
                <project>
                  <properties><heap.share>50</heap.share><young>32m</young><arenas>2</arenas></properties>
                  <build><plugins><plugin>
                    <artifactId>jib-maven-plugin</artifactId>
                    <configuration><container>
                      <entrypoint>
                        <arg>java</arg><arg>-XX:MaxRAMPercentage=${heap.share}</arg><arg>-XX:NewSize=${young}</arg>
                        <arg>-jar</arg><arg>quarkus-run.jar</arg>
                      </entrypoint>
                      <environment><MALLOC_ARENA_MAX>${arenas}</MALLOC_ARENA_MAX></environment>
                    </container></configuration>
                  </plugin></plugins></build>
                </project>
                """);
    }

    private Path service(String name, String properties) throws IOException {
        Path pom = Files.createDirectories(dir.resolve("services").resolve(name)).resolve("pom.xml");
        return Files.writeString(pom, """
                <project>
                  <parent><artifactId>root</artifactId><relativePath>../../pom.xml</relativePath></parent>
                  <properties>%s</properties>
                  <build><plugins><plugin><artifactId>jib-maven-plugin</artifactId></plugin></plugins></build>
                </project>
                """.formatted(properties));
    }

    @Test
    @DisplayName("a property the service's pom sets wins over the root's; the others come from the root")
    void theServicePomsPropertyWinsOverTheRoots() throws IOException {
        Path latte = service("latte", "<young>16m</young><arenas>1</arenas>");
        Path mocha = service("mocha", "");

        assertThat(Deployments.image(latte).jvmFlags()).containsExactly("-XX:MaxRAMPercentage=50", "-XX:NewSize=16m");
        assertThat(Deployments.image(latte).environment()).containsExactly(Map.entry("MALLOC_ARENA_MAX", "1"));
        assertThat(Deployments.image(mocha).jvmFlags()).containsExactly("-XX:MaxRAMPercentage=50", "-XX:NewSize=32m");
        assertThat(Deployments.image(root).jvmFlags()).containsExactly("-XX:MaxRAMPercentage=50", "-XX:NewSize=32m");
    }

    @Test
    @DisplayName("a parent named by Maven's default relativePath (../pom.xml) is found too")
    void followsTheDefaultRelativePath() throws IOException {
        Path pom = Files.writeString(Files.createDirectories(dir.resolve("tool")).resolve("pom.xml"), """
                <project>
                  <parent><artifactId>root</artifactId></parent>
                  <properties><heap.share>40</heap.share></properties>
                </project>
                """);

        assertThat(Deployments.image(pom).jvmFlags()).containsExactly("-XX:MaxRAMPercentage=40", "-XX:NewSize=32m");
    }

    @Test
    @DisplayName("a property no pom defines is refused naming it, the service's pom and the fix")
    void refusesAnUndefinedProperty() throws IOException {
        Files.writeString(root, Files.readString(root).replace("<young>32m</young>", ""));
        Path latte = service("latte", "");

        assertThatThrownBy(() -> Deployments.image(latte).jvmFlags())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("${young}")
                .hasMessageContaining(latte.toString())
                .hasMessageContaining("set it in <properties>");
    }

    @Test
    @DisplayName("a service whose parent is not on disk has no entrypoint to read, and says so")
    void refusesAPomWithoutTheEntrypointUpItsParents() throws IOException {
        Path lone = Files.writeString(Files.createDirectories(dir.resolve("a/b/c")).resolve("pom.xml"), """
                <project><parent><artifactId>elsewhere</artifactId><relativePath>../missing/pom.xml</relativePath></parent></project>
                """);

        assertThatThrownBy(() -> Deployments.image(lone).jvmFlags())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(lone.toString())
                .hasMessageContaining("no jib-maven-plugin configuration with a container entrypoint");
    }
}
