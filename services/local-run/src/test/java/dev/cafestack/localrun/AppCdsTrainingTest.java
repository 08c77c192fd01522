package dev.cafestack.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AppCDS training run, for real: a JVM started as a Deployment runs it (a stand-in service, {@link FakeService},
 * packaged as a fast-jar's quarkus-run.jar), its training requests, SIGTERM, and the archive that JVM writes.
 */
class AppCdsTrainingTest {

    @TempDir
    Path dir;

    Path app;
    Path manifest;
    Path rootPom;

    @BeforeEach
    void packageTheStandIn() throws IOException {
        app = Files.createDirectories(dir.resolve("target/quarkus-app"));
        Manifest jarManifest = new Manifest();
        jarManifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        jarManifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(app.resolve("quarkus-run.jar")), jarManifest)) {
            for (Class<?> c : List.of(FakeService.class, FakeService.Orders.class)) {
                String entry = c.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(entry));
                try (InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        // The root pom's Jib entrypoint and environment, as Deployments reads them.
        rootPom = Files.writeString(dir.resolve("pom.xml"), """
                <project>
                  <properties><heap.share>50</heap.share></properties>
                  <build><plugins><plugin>
                    <artifactId>jib-maven-plugin</artifactId>
                    <configuration><container>
                      <entrypoint>
                        <arg>java</arg><arg>-XX:MaxRAMPercentage=${heap.share}</arg><arg>-XX:+UseSerialGC</arg>
                        <arg>-XX:SharedArchiveFile=app-cds.jsa</arg><arg>-Xlog:cds*=off</arg>
                        <arg>-jar</arg><arg>quarkus-run.jar</arg>
                      </entrypoint>
                      <environment><MALLOC_ARENA_MAX>2</MALLOC_ARENA_MAX></environment>
                    </container></configuration>
                  </plugin></plugins></build>
                </project>
                """);
        // The rendered prod manifest: the Deployment's env, limits and a mounted ConfigMap.
        manifest = Files.writeString(dir.resolve("kubernetes.yml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: fake-config}
                  data: {fake.yaml: "greeting: hello"}
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: fake}
                  spec:
                    template:
                      spec:
                        containers:
                        - name: fake
                          env:
                          - {name: FAKE_CONFIG, value: /config/fake.yaml}
                          - {name: FAKE_UPSTREAM, value: "http://upstream.prod.svc:80"}
                          resources:
                            limits: {cpu: "1", memory: 256Mi}
                          volumeMounts:
                          - {name: config, mountPath: /config}
                        volumes:
                        - name: config
                          configMap: {name: fake-config}
                """);
    }

    private AppCdsTraining training(String text, PrintStream out) throws IOException {
        Path file = Files.writeString(dir.resolve("training.txt"), text);
        return new AppCdsTraining("fake", app, manifest, rootPom, Training.read(file), ImageJvm.host(), out);
    }

    @Test
    @DisplayName("writes an archive of the whole run, requests included, that the same java then maps")
    void writesAnArchiveOfTheWholeRunThatTheSameJavaThenMaps() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path archive = training("""
                env FAKE_UPSTREAM=http://127.0.0.1:${closed-port}
                rounds 3
                GET /config 200
                GET /upstream 200
                POST /orders 201 {"drink":"latte"}
                """, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

        assertThat(archive).isEqualTo(app.resolve("app-cds.jsa")).isNotEmptyFile();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("app-cds training of fake", "3 rounds", "POST /orders 201=3", "GET /config 200=3");
        // The image's way: -Xshare:on fails if the archive cannot be used; the class loaded by the orders comes from it.
        assertThat(probe(Path.of(System.getProperty("java.home"), "bin", "java"), FakeService.Orders.class.getName()))
                .containsPattern(ArchiveProbe.fromArchive(FakeService.Orders.class.getName()));
    }

    @Test
    @DisplayName("runs a stand-in gRPC peer where the training file gives one, sends the requests once the service is "
            + "ready, and stops the peer after the run")
    void runsTheStandInPeerAndWaitsForReady() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        training("""
                env FAKE_UPSTREAM=http://127.0.0.1:${closed-port}
                env FAKE_PEER_PORT=${grpc-stand-in}
                grpc grpc.health.v1.Health/Check 0801
                rounds 2
                GET /q/health/ready 200
                POST /orders 201 {"drink":"latte"}
                """, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

        String line = printed.toString(StandardCharsets.UTF_8);
        assertThat(line).contains("app-cds training of fake: ready in", "GET /q/health/ready 200=2",
                "the stand-in gRPC peer answered {grpc.health.v1.Health/Check=0}");
        int peerPort = Integer.parseInt(Files.readAllLines(dir.resolve("target/app-cds-training/fake.log")).stream()
                .filter(l -> l.startsWith("fake: peer port ")).findFirst().orElseThrow().substring(16));
        // The peer is closed: nothing listens on its port.
        assertThat(Listening.on(peerPort)).as("something still listens on the peer's port %d", peerPort).isFalse();
    }

    @Test
    @DisplayName("makes the file's gRPC calls to the service's own gRPC port, with the line's message, among the "
            + "requests")
    void makesTheCallsToTheServicesGrpcPort() throws Exception {
        // The service's gRPC server: FakeService forwards its gRPC port to this server, which answers Brew only.
        try (GrpcStandIn server = GrpcStandIn.start(Map.of("cafe.v1.Barista/Brew", new byte[] {0x0a, 0x01, 0x61}))) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            training("""
                    env FAKE_GRPC_BACKEND=%d
                    rounds 3
                    call cafe.v1.Barista/Brew OK 0a056c61747465
                    GET /config 200
                    """.formatted(server.port()), new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("call cafe.v1.Barista/Brew OK=3",
                    "GET /config 200=3");
            assertThat(server.answered()).containsEntry("cafe.v1.Barista/Brew", 3L);
        }
    }

    @Test
    @DisplayName("fails naming the training file's line when a gRPC call ends with another status code")
    void failsNamingTheLineWhenACallEndsWithAnotherCode() throws Exception {
        try (GrpcStandIn server = GrpcStandIn.start(Map.of("cafe.v1.Barista/Brew", new byte[0]))) {
            AppCdsTraining training = training("""
                    env FAKE_GRPC_BACKEND=%d
                    GET /config 200
                    call grpc.health.v1.Health/Check OK
                    """.formatted(server.port()), new PrintStream(OutputStream.nullOutputStream()));

            assertThatThrownBy(training::run).isInstanceOf(IllegalStateException.class).hasMessageContaining(
                    dir.resolve("training.txt") + ":3: call grpc.health.v1.Health/Check answered UNIMPLEMENTED, not OK "
                            + "(round 1)");
            assertThat(app.resolve("app-cds.jsa")).doesNotExist();
        }
    }

    @Test
    @DisplayName("writes an AOT cache with a JDK 25 (the image's), which that JDK then takes as the image's archive")
    void writesAnAotCacheWithJdk25() throws Exception {
        Path jdk25 = Path.of(System.getenv().getOrDefault("CAFE_TEMURIN_JDK", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
        if (!Boolean.getBoolean("cafe.play.required")) {
            Assumptions.assumeTrue(Files.isExecutable(jdk25), "no JDK 25 at " + jdk25 + " (CAFE_TEMURIN_JDK)");
        }
        Path file = Files.writeString(dir.resolve("training.txt"), """
                rounds 2
                GET /config 200
                POST /orders 201 {"drink":"latte"}
                """);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path archive = new AppCdsTraining("fake", app, manifest, rootPom, Training.read(file), jdk25,
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("app-cds training of fake", "an AOT cache");
        // The image's flag takes it (-Xshare:on fails otherwise), and the class the orders loaded comes from it.
        String run = probe(jdk25, FakeService.Orders.class.getName());
        assertThat(run).containsPattern(ArchiveProbe.fromArchive(FakeService.Orders.class.getName()));
        assertThat(archive).isNotEmptyFile();
    }

    @Test
    @DisplayName("chooses the archive by the training JVM: an AOT cache from JDK 25, an AppCDS archive before it")
    void choosesTheArchiveByTheTrainingJvm() {
        assertThat(AppCdsTraining.archiveFlag(ImageJvm.featureRelease(
                "OpenJDK Runtime Environment Temurin-25.0.3+9 (build 25.0.3+9-LTS)"))).isEqualTo("-XX:AOTCacheOutput=app-cds.jsa");
        assertThat(AppCdsTraining.archiveFlag(ImageJvm.featureRelease(
                "OpenJDK Runtime Environment (build 17.0.19+10-1-deb12u2-Debian)"))).isEqualTo("-XX:ArchiveClassesAtExit=app-cds.jsa");
        assertThat(AppCdsTraining.archiveFlag(ImageJvm.featureRelease(
                "OpenJDK Runtime Environment Temurin-21.0.12+8 (build 21.0.12+8-LTS)"))).isEqualTo("-XX:ArchiveClassesAtExit=app-cds.jsa");
        assertThat(AppCdsTraining.archiveFlag(ImageJvm.featureRelease("no version line")))
                .isEqualTo("-XX:ArchiveClassesAtExit=app-cds.jsa");
    }

    /** The image's archive check: {@link ArchiveProbe} loads a class over the archive's class path, -Xshare:on. */
    private String probe(Path java, String className) throws Exception {
        Process check = new ProcessBuilder(ArchiveProbe.command(java, "app-cds.jsa", className))
                .directory(app.toFile()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    @DisplayName("fails naming the training file's line when a request answers another status, and leaves no archive")
    void failsNamingTheLineWhenARequestAnswersAnotherStatus() throws Exception {
        AppCdsTraining training = training("""
                GET /config 200
                GET /orders 201
                """, new PrintStream(OutputStream.nullOutputStream()));

        assertThatThrownBy(training::run).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("training.txt") + ":2: GET /orders answered 400, not 201 (round 1)");
        assertThat(app.resolve("app-cds.jsa")).doesNotExist();
    }

    @Test
    @DisplayName("fails with the service's exit code and output when it exits before it has started")
    void failsWhenTheServiceExitsBeforeItHasStarted() throws Exception {
        AppCdsTraining training = training("""
                env FAKE_EXIT=3
                GET /config 200
                """, new PrintStream(OutputStream.nullOutputStream()));

        assertThatThrownBy(training::run).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fake exited with 3 before it was ready")
                .hasMessageContaining("fake: exiting with 3 before it starts");
        assertThat(app.resolve("app-cds.jsa")).doesNotExist();
    }
}
