package dev.cafestack.tests.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cafestack.localrun.ArchiveProbe;
import dev.cafestack.localrun.Deployments;
import dev.cafestack.localrun.ImageJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every service's container image must be, checked on the real thing. The service's own build makes it with the
 * root pom's Jib configuration, unchanged but for the base: in pre-integration-test, the stand-in-base-image execution
 * writes a {@linkplain StandInBaseImage stand-in base image} (the production base needs a registry) and jib's image-it
 * execution builds target/image-it/jib-image.tar on it. These checks read that tarball layer by layer and compare it with
 * target/quarkus-app and with the service's rendered workloads of every environment (its Deployments, or the
 * StatefulSet of a service that keeps state).
 *
 * <p>A service runs them with an empty {@code *IT} subclass (failsafe).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServiceImageContract {

    private static final String APP = "/deployments";

    private final Path moduleDir = Path.of("").toAbsolutePath();
    private final String service = moduleDir.getFileName().toString();
    private final Path work = moduleDir.resolve("target/image-it");

    private StandInBaseImage base;
    private ImageTarball image;
    private List<RenderedDeployments> environments;
    private Path extractedApp;

    @BeforeAll
    void readTheImageBuiltOnTheStandInBase() throws IOException {
        Assumptions.assumeFalse(Boolean.getBoolean("cafe.image.it.skip"),
                "image checks skipped: this build makes no image for them (cafe.image.skip=true)");
        Path tarball = work.resolve("jib-image.tar");
        assertThat(tarball).as("the image of jib-maven-plugin's image-it execution (pre-integration-test): run the "
                + "image checks through Maven (mvn verify)").isRegularFile();
        image = ImageTarball.read(tarball);
        base = StandInBaseImage.at(work.resolve("stand-in-base.tar"));
        environments = new ArrayList<>();
        for (String env : BuildProperties.required("cafe.envs").split(",")) {
            environments.add(RenderedDeployments.of(moduleDir, env.trim()));
        }
    }

    @Test
    @DisplayName("is tagged as the image the local workload runs, and as <version>-<yyyyMMddHHmm> and latest")
    void isTaggedAsTheDeploymentsImage() {
        List<String> deployed = new ArrayList<>();
        local().deployment("v1").at("/spec/template/spec/containers").forEach(c -> deployed.add(c.path("image").asText()));
        assertThat(deployed).as("images of the local v1 workload").isNotEmpty();
        assertThat(image.repoTags()).containsAll(deployed);
        String repository = deployed.get(0).substring(0, deployed.get(0).lastIndexOf(':'));
        String version = label("org.opencontainers.image.version");
        assertThat(image.repoTags()).contains(repository + ":latest")
                .anyMatch(tag -> tag.matches(Pattern.quote(repository + ":" + version) + "-\\d{12}"));
    }

    @Test
    @DisplayName("starts the packaged Quarkus application from /deployments with container-aware JVM flags, and nothing of the base's CMD")
    void runsThePackagedApplication() {
        List<String> entrypoint = strings(containerConfig().path("Entrypoint"));
        assertThat(entrypoint).first().isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
                .containsExactly("-jar", APP + "/quarkus-run.jar");
        assertThat(entrypoint)
                .anyMatch(flag -> flag.matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"))
                // The same share as MinRAMPercentage: under a small limit the JVM would otherwise size the heap by its
                // default maximum or by MinRAMPercentage, not by MaxRAMPercentage (docs/sizing.md).
                .contains(entrypoint.stream().filter(flag -> flag.startsWith("-XX:MaxRAMPercentage="))
                        .map(flag -> flag.replace("MaxRAMPercentage", "MinRAMPercentage")).findFirst().orElse("-"))
                .contains("-XX:+ExitOnOutOfMemoryError", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        assertThat(strings(containerConfig().path("Cmd"))).as("CMD (the base's " + StandInBaseImage.CMD
                + " would become arguments of quarkus-run.jar)").isEmpty();
        assertThat(containerConfig().path("WorkingDir").asText()).isEqualTo(APP);
        assertThat(strings(containerConfig().path("Env"))).as("the base's environment is kept")
                .anyMatch(env -> env.startsWith("PATH="));
    }

    @Test
    @DisplayName("starts with the JVM flags its training run and bench/ start it with (the service pom's, read by Deployments)")
    void runsTheFlagsTheTrainingAndTheBenchRun() {
        List<String> entrypoint = strings(containerConfig().path("Entrypoint"));
        assertThat(entrypoint.subList(1, entrypoint.indexOf("-jar")))
                .as("the image's JVM flags against Deployments.image(" + moduleDir.resolve("pom.xml") + ")")
                .isEqualTo(Deployments.image(moduleDir.resolve("pom.xml")).jvmFlags());
    }

    @Test
    @DisplayName("holds the class data archive its entrypoint names, and sets MALLOC_ARENA_MAX for a glibc base")
    void startsFromItsClassDataArchive() {
        List<String> entrypoint = strings(containerConfig().path("Entrypoint"));
        List<String> archives = entrypoint.stream().filter(f -> f.startsWith("-XX:SharedArchiveFile="))
                .map(f -> f.substring("-XX:SharedArchiveFile=".length())).toList();
        assertThat(archives).as("one -XX:SharedArchiveFile in " + entrypoint).hasSize(1);
        String archive = archives.get(0).startsWith("/") ? archives.get(0) : APP + "/" + archives.get(0);
        assertThat(image.fileSystem()).as("the archive, relative to the working directory " + APP).containsKey(archive);
        assertThat(image.fileSystem().get(archive).directory()).isFalse();
        assertThat(strings(containerConfig().path("Env"))).contains("MALLOC_ARENA_MAX=2");
    }

    @Test
    @DisplayName("starts from a class data archive that the JVM which wrote it accepts over the image's own files, and "
            + "rejects once a jar's time changes")
    void itsClassDataArchiveFitsTheImagesFiles() throws Exception {
        // An archive (AppCDS or AOT cache) records each class path jar's size and modification time; the JVM ignores
        // one that does not match them. -Xshare:on turns that silent fallback into a failed start, and
        // -XX:+PrintSharedArchiveAndExit validates the class path and exits before main.
        Path app = extractedApp();
        List<String> java = archiveCheck();

        Exec accepted = Exec.run(app, java);
        assertThat(accepted.exitCode()).as("%s in a copy of the image's %s:%n%s", String.join(" ", java), APP,
                accepted.output()).isZero();
        assertThat(accepted.output()).contains("quarkus-run.jar");

        Path jar = app.resolve("quarkus-run.jar");
        FileTime imageTime = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        try {
            Exec rejected = Exec.run(app, java);
            assertThat(rejected.exitCode()).as("the same, quarkus-run.jar touched:%n%s", rejected.output()).isNotZero();
        } finally {
            Files.setLastModifiedTime(jar, imageTime); // the copy is the image's again, for the other archive check
        }
    }

    @Test
    @DisplayName("starts from a class data archive of its whole archive run (up to Quarkus' archive hook, or its "
            + "training requests), whose classes the JVM's class path loader takes from it")
    void itsClassDataArchiveHoldsTheWholeArchiveRun() throws Exception {
        // A class the build's archive run loads only at its end (archivedRunClass): a run that stopped earlier (a
        // required setting missing, a training request not sent) leaves it out, together with every class after it.
        // Loaded through the JVM's class path (local-run's ArchiveProbe, -Xshare:on): it comes from the archive only if
        // it was archived for that loader. A class archived for another loader (Quarkus' fast-jar RunnerClassLoader)
        // is matched only after that loader has read it from its jar; the aot-jar packaging (quarkus.package.jar.type,
        // root pom) puts every jar on the JVM's class path instead. The same question for an AppCDS archive and a
        // JDK 25 AOT cache.
        List<String> java = ArchiveProbe.command(archiveJvm(), archiveFile(), archivedRunClass());
        Exec probe = Exec.run(extractedApp(), java);
        assertThat(probe.exitCode()).as("%s in a copy of the image's %s:%n%s", String.join(" ", java), APP, probe.output())
                .isZero();
        assertThat(probe.output().lines().filter(line -> line.contains(" " + archivedRunClass() + " source: ")))
                .as("where %s came from (%s in a copy of the image's %s); not from the archive: the run that wrote the "
                        + "archive ended early (read the app-cds execution's output), or the class was archived for "
                        + "another class loader (package the service as aot-jar: quarkus.package.jar.type, root pom)",
                        archivedRunClass(), String.join(" ", java), APP)
                .singleElement().satisfies(line -> assertThat(line).containsPattern(ArchiveProbe.fromArchive(archivedRunClass())));
    }

    /** {@code java -Xshare:on -XX:SharedArchiveFile=<the entrypoint's> -XX:+PrintSharedArchiveAndExit -jar quarkus-run.jar}. */
    private List<String> archiveCheck() {
        return List.of(archiveJvm().toString(), "-Xshare:on", "-XX:SharedArchiveFile=" + archiveFile(),
                "-XX:+PrintSharedArchiveAndExit", "-jar", "quarkus-run.jar");
    }

    /** The entrypoint's {@code -XX:SharedArchiveFile}, relative to the working directory. */
    private String archiveFile() {
        return strings(containerConfig().path("Entrypoint")).stream()
                .filter(f -> f.startsWith("-XX:SharedArchiveFile=")).findFirst()
                .orElseThrow(() -> new AssertionError("no -XX:SharedArchiveFile in the entrypoint"))
                .substring("-XX:SharedArchiveFile=".length());
    }

    /** The JVM that wrote the module's class data archive (the root pom's app-cds execution records it). */
    private Path archiveJvm() {
        return ImageJvm.recorded(moduleDir.resolve("target"));
    }

    /** A copy of the image's /deployments with the image's file times, extracted once for the archive checks. */
    private Path extractedApp() throws IOException {
        if (extractedApp == null) {
            Path app = work.resolve("app-cds-check");
            deleteTree(app);
            image.extract(APP, app);
            extractedApp = app;
        }
        return extractedApp;
    }

    private record Exec(int exitCode, String output) {

        static Exec run(Path dir, List<String> command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not exit within 60 s:\n" + output);
            }
            return new Exec(process.exitValue(), output);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    @DisplayName("holds exactly target/quarkus-app under /deployments, byte for byte, and none of Jib's default /app layers")
    void holdsExactlyThePackagedApplication() throws IOException {
        Path app = moduleDir.resolve("target/quarkus-app");
        Map<String, String> expected = new TreeMap<>();
        try (Stream<Path> files = Files.walk(app)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                expected.put(APP + "/" + app.relativize(file).toString().replace('\\', '/'),
                        StandInBaseImage.sha256(Files.readAllBytes(file)));
            }
        }
        Map<String, String> actual = new TreeMap<>();
        image.fileSystem().values().stream()
                .filter(e -> !e.directory() && e.path().startsWith(APP + "/"))
                .forEach(e -> actual.put(e.path(), e.sha256()));
        assertThat(expected).containsKeys(APP + "/quarkus-run.jar", APP + "/quarkus/quarkus-application.dat")
                .anySatisfy((path, sha) -> assertThat(path).startsWith(APP + "/lib/boot/"))
                .anySatisfy((path, sha) -> assertThat(path).startsWith(APP + "/lib/main/"));
        assertThat(actual).isEqualTo(expected);
        assertThat(image.fileSystem().keySet().stream().filter(path -> path.equals("/app") || path.startsWith("/app/")))
                .as("Jib's default layers (classes, resources, dependencies under /app)").isEmpty();
    }

    @Test
    @DisplayName("keeps the base image's layer first and unchanged")
    void keepsTheBase() {
        assertThat(image.layers().get(0).diffId()).isEqualTo(base.layerDiffId());
        assertThat(image.layers().get(0).contains(StandInBaseImage.MARKER)).isTrue();
        assertThat(image.entry("/tmp")).get().extracting(ImageTarball.Entry::mode).isEqualTo(01777);
        assertThat(labels()).containsEntry(StandInBaseImage.LABEL, "true")
                .containsEntry("org.opencontainers.image.base.name", base.reference());
    }

    @Test
    @DisplayName("layers third-party libraries, this project's libraries (if it uses any) and the application apart, "
            + "least changed first")
    void layersForCaching() {
        List<ImageTarball.Layer> layers = image.layers();
        ImageTarball.Layer thirdParty = image.layerOf(APP + "/lib/boot/" + fileNamed("lib/boot", "io.quarkus.quarkus-bootstrap-runner-"));
        ImageTarball.Layer application = image.layerOf(APP + "/quarkus-run.jar");
        List<Integer> order = new ArrayList<>(List.of(layers.indexOf(thirdParty), layers.indexOf(application)));
        Optional<String> projectLibrary = fileStartingWith("lib/main", "dev.cafestack.");
        if (projectLibrary.isPresent()) {
            ImageTarball.Layer project = image.layerOf(APP + "/lib/main/" + projectLibrary.get());
            order.add(1, layers.indexOf(project));
            assertThat(files(project).stream().filter(path -> !path.startsWith(APP + "/lib/main/dev.cafestack.")))
                    .as("project libraries layer: other files").isEmpty();
        }
        assertThat(order).as("layer indexes: third-party libraries, project libraries (%s), application",
                projectLibrary.isPresent() ? "some" : "none").isSorted().doesNotHaveDuplicates();
        assertThat(files(thirdParty).stream().filter(path -> !path.startsWith(APP + "/lib/")
                || path.startsWith(APP + "/lib/main/dev.cafestack."))).as("third-party layer: other files").isEmpty();
        assertThat(files(application).stream().filter(path -> path.startsWith(APP + "/lib/")))
                .as("application layer: libraries").isEmpty();
    }

    @Test
    @DisplayName("runs as the user of every environment's workloads, not root, who can read the application but not change it")
    void runsAsTheDeploymentsNonRootUser() {
        String user = containerConfig().path("User").asText();
        for (RenderedDeployments env : environments) {
            assertThat(env.runAs()).as(env.env() + " workloads' runAsUser:runAsGroup").isNotEmpty().containsOnly(user);
        }
        assertThat(user).matches("[1-9][0-9]*:[0-9]+");
        List<ImageTarball.Entry> app = image.fileSystem().values().stream()
                .filter(e -> e.path().equals(APP) || e.path().startsWith(APP + "/")).toList();
        assertThat(app).isNotEmpty().allSatisfy(e -> {
            assertThat(e.uid()).as(e.path() + " owner").isZero();
            assertThat(e.gid()).as(e.path() + " group").isZero();
            assertThat(e.mode() & 0022).as(e.path() + " writable by group or others").isZero();
            assertThat(e.mode() & (e.directory() ? 0005 : 0004)).as(e.path() + " readable by others")
                    .isEqualTo(e.directory() ? 0005 : 0004);
        });
    }

    @Test
    @DisplayName("exposes exactly the container ports of every environment's workloads")
    void exposesTheDeploymentsPorts() {
        TreeSet<String> exposed = new TreeSet<>();
        containerConfig().path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        for (RenderedDeployments env : environments) {
            assertThat(exposed).as(env.env() + " containerPorts").isEqualTo(new TreeSet<>(env.containerPorts()));
        }
    }

    @Test
    @DisplayName("carries OCI labels and no build time, so an unchanged build gives the same image")
    void isLabelledAndReproducible() {
        assertThat(labels()).containsEntry("org.opencontainers.image.title", service)
                .containsKeys("org.opencontainers.image.version", "org.opencontainers.image.description",
                        "org.opencontainers.image.source", "org.opencontainers.image.revision");
        assertThat(label("org.opencontainers.image.version")).isNotBlank();
        assertThat(image.config().path("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
        image.config().path("history").forEach(h -> assertThat(h.path("created").asText()).isEqualTo("1970-01-01T00:00:00Z"));
        assertThat(image.layers().subList(1, image.layers().size()))
                .flatMap(ImageTarball.Layer::entries)
                .allSatisfy(e -> assertThat(e.modified()).as(e.path()).isEqualTo(Instant.ofEpochSecond(1)));
    }

    /**
     * The files of each Secret that the local workload mounts (Secret name to file name to content), used when the
     * image is run: Secrets are made outside the build, so a service whose pod mounts one supplies stand-in files here.
     */
    protected Map<String, Map<String, String>> standInSecrets() {
        return Map.of();
    }

    /**
     * A class that the run writing the image's class data archive (the root pom's app-cds execution) loads only at its
     * end. By default Quarkus' archive hook, the last step of a static-init run; a service with a training run
     * (cafe.appcds.training) names a class that only its training requests load.
     */
    protected String archivedRunClass() {
        return "io.quarkus.arc.runtime.appcds.JvmStartupOptimizerArchiveRecorder";
    }

    /**
     * Whether the service is ready on its own, with no other service running (checked when the image is run). A
     * service whose readiness waits for another one overrides this with false.
     */
    protected boolean readyAlone() {
        return true;
    }

    @Test
    @DisplayName("runs with podman as its local workload runs it (user, read-only root, volumes, env), passes its probes, "
            + "and its JVM maps its class data archive")
    void runsAsTheDeploymentRunsIt() throws Exception {
        if (PodmanRun.version().isEmpty()) {
            String reason = "podman is not installed here: " + service + "'s image was read but not run (to run it: "
                    + "apt-get install podman runc, and /etc/containers/containers.conf as in .ci/run)";
            System.err.println("[image checks] SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        JsonNode deployment = local().deployment("v1");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        try (PodmanRun run = PodmanRun.start(work.resolve("jib-image.tar"), work.resolve("jib-image.id"), deployment,
                local(), standInSecrets(), archiveJvm(), work.resolve("podman"))) {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode http = container.at("/" + probe + "/httpGet");
                boolean up = !probe.equals("readinessProbe") || readyAlone();
                PodmanRun.Answer answer = run.get(http.path("port").asText(), http.path("path").asText(),
                        up ? 200 : 503, Duration.ofSeconds(60));
                assertThat(answer.status()).as(() -> probe + " " + http.path("path").asText() + " answered "
                        + answer.body() + "\ncontainer output:\n" + logs(run)).isEqualTo(up ? 200 : 503);
                assertThat(answer.body()).contains(up ? "\"UP\"" : "\"DOWN\"");
            }
            String archive = APP + "/" + archiveFile();
            assertThat(run.mappedFiles()).as("files mapped by the container's JVM (%s): it uses its class data "
                    + "archive only if it is the JVM that wrote it, over the same files", archiveJvm()).contains(archive);
            String output = run.logs();
            assertThat(output).as("container output").contains(service + " " + label("org.opencontainers.image.version")
                    + " on JVM");
            assertThat(output.lines().filter(line -> line.matches("\\S+ (ERROR|FATAL) .*")))
                    .as("errors logged (container output: " + run.log() + ")").isEmpty();
        }
    }

    private static String logs(PodmanRun run) {
        try {
            return run.logs();
        } catch (IOException e) {
            return "(podman logs failed: " + e + ")";
        }
    }

    private RenderedDeployments local() {
        return environments.stream().filter(e -> e.env().equals("local")).findFirst()
                .orElseThrow(() -> new AssertionError("no local environment in cafe.envs"));
    }

    private JsonNode containerConfig() {
        return image.config().path("config");
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new TreeMap<>();
        containerConfig().path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private String label(String name) {
        return labels().getOrDefault(name, "");
    }

    private String fileNamed(String dir, String prefix) {
        return fileStartingWith(dir, prefix)
                .orElseThrow(() -> new AssertionError("no " + prefix + "* in target/quarkus-app/" + dir));
    }

    private Optional<String> fileStartingWith(String dir, String prefix) {
        try (Stream<Path> files = Files.list(moduleDir.resolve("target/quarkus-app").resolve(dir))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().findFirst();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> files(ImageTarball.Layer layer) {
        return layer.entries().stream().filter(e -> !e.directory()).map(ImageTarball.Entry::path)
                .collect(Collectors.toList());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
