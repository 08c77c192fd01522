package dev.cafestack.play;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the {@code local} environment's rendered manifests on podman: the very {@code <module>/target/cafe/local/kubernetes.yml}
 * files that {@code k8s:apply -P local} applies, and the images the build wrote as {@code <module>/target/jib-image.tar}.
 *
 * <p>podman 4.3 reads neither a {@code kind: List} nor a Service: each Deployment is played as a YAML stream of its own
 * (the ConfigMaps of its file, then the Deployment, items as rendered) on podman's default kube network. podman publishes
 * every containerPort on the host under its own number, and a container reaches another pod's port through
 * {@code host.containers.internal}, which is how the local environment's mocha finds latte ({@code mocha.latte.host}).
 *
 * <p>Playing again is an apply: a Deployment whose pod template (and images) did not change keeps its running pod; one
 * that changed is taken down with its volumes and played anew. The hash that decides is kept on the pod as the
 * {@value #TEMPLATE_HASH} label, which is the one thing added to what was rendered.
 */
public final class LocalPlay {

    /**
     * Pod label, as Kubernetes' Deployment controller puts it on the pods it creates: here SHA-256 (first 128 bits) over
     * the Deployment's pod template and the ids of the images it runs. podman 4.3 keeps no annotations, so the label is
     * where the played template is remembered.
     */
    public static final String TEMPLATE_HASH = "pod-template-hash";

    private static final Duration PODMAN = Duration.ofMinutes(3);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** One Deployment of a rendered file and the ConfigMaps beside it. */
    public record Workload(String name, JsonNode deployment, List<JsonNode> configMaps) {

        /** What podman plays for this Deployment: the ConfigMaps of its file, then the Deployment as rendered. */
        public String stream() {
            return stream(null);
        }

        /** The stream, with the {@value #TEMPLATE_HASH} label on the pod template when {@code templateHash} is given. */
        public String stream(String templateHash) {
            StringBuilder yaml = new StringBuilder();
            try {
                for (JsonNode configMap : configMaps) {
                    yaml.append(YAML.writeValueAsString(configMap));
                }
                JsonNode played = deployment.deepCopy();
                if (templateHash != null) {
                    ((ObjectNode) played.at("/spec/template/metadata/labels"))
                            .put(TEMPLATE_HASH, templateHash);
                }
                yaml.append(YAML.writeValueAsString(played));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return yaml.toString();
        }

        public JsonNode podSpec() {
            return deployment.at("/spec/template/spec");
        }

        /** The podman volumes this Deployment's pod gets: an emptyDir by its volume name, a ConfigMap by the map's name. */
        public List<String> volumes() {
            List<String> names = new ArrayList<>();
            podSpec().path("volumes").forEach(v -> {
                if (v.has("emptyDir")) {
                    names.add(v.path("name").asText());
                } else if (v.has("configMap")) {
                    names.add(v.at("/configMap/name").asText());
                }
            });
            return names;
        }

        /** {@code containerPort} of the container port called {@code port} (a name or a number). */
        public int containerPort(JsonNode container, String port) {
            if (port.matches("\\d+")) {
                return Integer.parseInt(port);
            }
            for (JsonNode p : container.path("ports")) {
                if (port.equals(p.path("name").asText())) {
                    return p.path("containerPort").asInt();
                }
            }
            throw new IllegalStateException(name + ": container " + container.path("name").asText() + " has no port " + port);
        }
    }

    /** What one apply did to one Deployment. */
    public record Applied(String deployment, String pod, String templateHash, boolean replayed) {
    }

    private final Path root;
    private final List<String> modules;
    private final PrintStream out;
    /** Image name -> the image id this build wrote for it (target/jib-image.json), once loaded. */
    private final Map<String, String> images = new LinkedHashMap<>();

    /**
     * @param root    the repository root
     * @param modules the modules whose local manifests and images are played, in order (e.g. services/latte)
     */
    public LocalPlay(Path root, List<String> modules, PrintStream out) {
        this.root = root;
        this.modules = List.copyOf(modules);
        this.out = out;
    }

    public Path manifest(String module) {
        return root.resolve(module).resolve("target/cafe/local/kubernetes.yml");
    }

    public Path imageTarball(String module) {
        return root.resolve(module).resolve("target/jib-image.tar");
    }

    /** The local manifests of the played modules, in module order. */
    public List<Path> manifests() {
        return modules.stream().map(this::manifest).toList();
    }

    /** Null when podman can run containers here; otherwise one line: what is wrong, and the fix (tests/play/podman-check.sh). */
    public String podmanProblem() {
        Path check = root.resolve("tests/play/podman-check.sh");
        try {
            Process process = new ProcessBuilder("bash", check.toString()).redirectErrorStream(true).start();
            String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor() == 0 ? null : line;
        } catch (IOException e) {
            return "cannot run " + check + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking podman";
        }
    }

    /** Null when every played module has its local manifest and image tarball; otherwise one line saying what to build. */
    public String buildProblem() {
        List<String> missing = new ArrayList<>();
        for (String module : modules) {
            if (!Files.isRegularFile(manifest(module))) {
                missing.add(root.relativize(manifest(module)).toString());
            }
            if (!Files.isRegularFile(imageTarball(module))) {
                missing.add(root.relativize(imageTarball(module)).toString());
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        return "not built: " + String.join(", ", missing) + " missing. Build the images on a base this machine has: "
                + "./mvnw -P play package (the offline JRE base, tests/play/jre-base.sh), or "
                + "./mvnw package -Dcafe.image.base=tar://$(tests/play/jre-base.sh)";
    }

    /** Null when no other process holds a host port that a Deployment not yet running here publishes. */
    public String portProblem(List<Path> manifests) {
        for (Workload workload : workloads(manifests)) {
            if (pod(workload.name()).isPresent()) {
                continue;
            }
            for (JsonNode container : workload.podSpec().path("containers")) {
                for (JsonNode port : container.path("ports")) {
                    int number = port.path("containerPort").asInt();
                    try (ServerSocket socket = new ServerSocket(number, 1, InetAddress.getByName("0.0.0.0"))) {
                        socket.setReuseAddress(true);
                    } catch (IOException e) {
                        return "port " + number + " (" + workload.name() + " " + port.path("name").asText()
                                + ") is in use on this machine, and podman publishes it under the same number: stop "
                                + "what listens there (ss -ltnp 'sport = :" + number + "')";
                    }
                }
            }
        }
        return null;
    }

    /** {@code podman load} of every played module's image tarball, unless podman already has that image under its name. */
    public void load() {
        for (String module : modules) {
            Path tarball = imageTarball(module);
            JsonNode jib;
            try {
                jib = CANONICAL.readTree(tarball.resolveSibling("jib-image.json").toFile());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + tarball.resolveSibling("jib-image.json") + " (Jib writes it "
                        + "beside the tarball): " + e.getMessage(), e);
            }
            String image = jib.path("image").asText();
            String id = jib.path("imageId").asText().replaceFirst("^sha256:", "");
            images.put(image, id);
            if (Podman.run(PODMAN, "image", "exists", id).ok()) {
                out.println("[play] " + image + ": loaded already (" + id.substring(0, 12) + ")");
                continue;
            }
            out.println("[play] podman load -i " + root.relativize(tarball));
            Podman.run(PODMAN, "load", "-q", "-i", tarball.toString()).orFail();
        }
    }

    /** Every Deployment of {@code manifests} (rendered {@code kind: List} files), with the ConfigMaps of its file. */
    public static List<Workload> workloads(List<Path> manifests) {
        List<Workload> workloads = new ArrayList<>();
        for (Path manifest : manifests) {
            JsonNode list;
            try {
                list = YAML.readTree(manifest.toFile());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + manifest + ": " + e.getMessage(), e);
            }
            List<JsonNode> items = new ArrayList<>();
            if ("List".equals(list.path("kind").asText())) {
                list.path("items").forEach(items::add);
            } else {
                items.add(list);
            }
            List<JsonNode> configMaps = items.stream().filter(i -> "ConfigMap".equals(i.path("kind").asText())).toList();
            items.stream().filter(i -> "Deployment".equals(i.path("kind").asText()))
                    .forEach(d -> workloads.add(new Workload(d.at("/metadata/name").asText(), d, configMaps)));
        }
        return workloads;
    }

    /** Plays {@code manifests}: Deployments whose template hash changed (or that do not run) are played anew. */
    public List<Applied> apply(List<Path> manifests) {
        List<Applied> applied = new ArrayList<>();
        for (Workload workload : workloads(manifests)) {
            String hash = templateHash(workload);
            Optional<String> pod = pod(workload.name());
            if (pod.isPresent() && hash.equals(runningTemplateHash(workload).orElse(""))) {
                Podman.run(PODMAN, "pod", "start", pod.get()).orFail();
                out.println("[play] " + workload.name() + ": unchanged (pod " + pod.get() + ", template " + hash.substring(0, 12) + ")");
                applied.add(new Applied(workload.name(), pod.get(), hash, false));
                continue;
            }
            if (pod.isPresent()) {
                remove(workload);
            }
            // The name may have been moved to another image since the load (the image checks of a build load theirs under
            // the same name): point it at this build's image again, just before podman resolves it.
            for (JsonNode container : workload.podSpec().path("containers")) {
                String id = images.get(container.path("image").asText());
                if (id != null) {
                    Podman.run(PODMAN, "tag", id, container.path("image").asText()).orFail();
                }
            }
            List<String> play = new ArrayList<>(List.of("kube", "play"));
            if (publishAllSupported()) {
                play.add("--publish-all");
            }
            play.add("-");
            Podman.runWithInput(PODMAN, workload.stream(hash), play.toArray(String[]::new)).orFail();
            String name = pod(workload.name()).orElseThrow(() -> new IllegalStateException(
                    "podman kube play ran, but no pod of " + workload.name() + " exists"));
            out.println("[play] " + workload.name() + ": " + (pod.isPresent() ? "replayed" : "played")
                    + " (pod " + name + ", template " + hash.substring(0, 12) + ")");
            applied.add(new Applied(workload.name(), name, hash, true));
        }
        return applied;
    }

    /** Waits until every container of {@code manifests} answers its readinessProbe (httpGet on the host) with 200. */
    public void awaitReady(List<Path> manifests, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Workload workload : workloads(manifests)) {
            for (JsonNode container : workload.podSpec().path("containers")) {
                JsonNode get = container.at("/readinessProbe/httpGet");
                if (get.isMissingNode()) {
                    continue;
                }
                URI uri = URI.create("http://127.0.0.1:" + workload.containerPort(container, get.path("port").asText())
                        + get.path("path").asText("/"));
                String last = "no answer";
                while (true) {
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200) {
                            break;
                        }
                        last = response.statusCode() + " " + response.body();
                    } catch (IOException e) {
                        last = e.toString();
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(workload.name() + " not ready within " + timeout + ": " + uri
                                + " answered " + last + "\ncontainer output (last lines):\n" + logs(workload, container));
                    }
                    Thread.sleep(250);
                }
                out.println("[play] " + workload.name() + " ready: " + uri);
            }
        }
    }

    /** Takes the Deployments of {@code manifests} down (pods, containers, volumes); returns what is left of them. */
    public List<String> down(List<Path> manifests) {
        List<Workload> workloads = workloads(manifests);
        for (Workload workload : workloads) {
            remove(workload);
        }
        return leftovers(workloads);
    }

    /** Pods, containers and volumes of these Deployments that exist. */
    public static List<String> leftovers(List<Workload> workloads) {
        List<String> left = new ArrayList<>();
        for (Workload workload : workloads) {
            pod(workload.name()).ifPresent(p -> left.add("pod " + p));
            String prefix = workload.name() + "-pod";
            Podman.run(PODMAN, "ps", "-a", "--format", "{{.Names}}").orFail().lines()
                    .filter(n -> n.startsWith(prefix)).forEach(n -> left.add("container " + n));
            for (String volume : workload.volumes()) {
                if (Podman.run(PODMAN, "volume", "exists", volume).ok()) {
                    left.add("volume " + volume);
                }
            }
        }
        return left;
    }

    /** The podman pod of Deployment {@code deployment} (podman 4 names it {@code <name>-pod-0}, podman 5 {@code <name>-pod}). */
    public static Optional<String> pod(String deployment) {
        return Podman.run(PODMAN, "pod", "ps", "--format", "{{.Name}}").orFail().lines()
                .map(String::strip)
                .filter(n -> n.equals(deployment + "-pod") || n.equals(deployment + "-pod-0"))
                .findFirst();
    }

    /** The podman container that runs {@code container} of Deployment {@code deployment}. */
    public static String container(String deployment, String container) {
        return pod(deployment).map(p -> p + "-" + container)
                .orElseThrow(() -> new IllegalStateException("no pod of " + deployment + " runs"));
    }

    /** The {@value #TEMPLATE_HASH} label of the Deployment's pod, if it has one. */
    public static Optional<String> runningTemplateHash(Workload workload) {
        Optional<String> pod = pod(workload.name());
        if (pod.isEmpty()) {
            return Optional.empty();
        }
        Podman.Result inspect = Podman.run(PODMAN, "pod", "inspect", pod.get());
        if (!inspect.ok()) {
            return Optional.empty();
        }
        try {
            JsonNode info = CANONICAL.readTree(inspect.output());
            JsonNode value = (info.isArray() ? info.path(0) : info).path("Labels").path(TEMPLATE_HASH);
            return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The image id this build wrote for {@code image}, once {@link #load()} ran; else empty. */
    public Optional<String> builtImage(String image) {
        return Optional.ofNullable(images.get(image));
    }

    /** SHA-256 over the pod template (keys sorted) and the image id of each container's image (this build's, once loaded). */
    public String templateHash(Workload workload) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(workload.deployment().at("/spec/template"), Object.class)));
            for (JsonNode container : workload.podSpec().path("containers")) {
                String image = container.path("image").asText();
                String id = images.get(image);
                if (id == null) {
                    Podman.Result inspect = Podman.run(PODMAN, "image", "inspect", "--format", "{{.Id}}", image);
                    id = inspect.ok() ? inspect.output().strip() : "no image";
                }
                sha.update(("\n" + id).getBytes(StandardCharsets.UTF_8));
            }
            // 128 bits: podman refuses an --annotation value over 63 characters.
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What to call, from the played Deployments' container ports (published on the host under the same numbers). */
    public String urls(List<Path> manifests) {
        StringBuilder text = new StringBuilder();
        Set<String> lines = new LinkedHashSet<>();
        for (Workload workload : workloads(manifests)) {
            for (JsonNode container : workload.podSpec().path("containers")) {
                for (JsonNode port : container.path("ports")) {
                    String name = port.path("name").asText();
                    int number = port.path("containerPort").asInt();
                    lines.add(String.format("  %-10s %-5s %s", workload.name(), name, name.startsWith("grpc")
                            ? "localhost:" + number + " (gRPC)"
                            : "http://localhost:" + number + "/  (health: http://localhost:" + number + "/q/health/ready)"));
                }
            }
        }
        lines.forEach(l -> text.append(l).append('\n'));
        return text.toString();
    }

    private void remove(Workload workload) {
        Podman.runWithInput(PODMAN, workload.stream(), "kube", "down", "-");
        // podman 4.3 leaves a Deployment's volumes (emptyDir and ConfigMap content) behind: a replay would reuse stale ones.
        for (String volume : workload.volumes()) {
            if (Podman.run(PODMAN, "volume", "exists", volume).ok()) {
                Podman.run(PODMAN, "volume", "rm", "-f", volume).orFail();
            }
        }
    }

    private static String logs(Workload workload, JsonNode container) {
        return pod(workload.name())
                .map(p -> Podman.run(Duration.ofSeconds(30), "logs", "--tail", "30", p + "-" + container.path("name").asText()).output())
                .orElse("(no pod)");
    }

    private static Boolean publishAll;

    /** podman 5 publishes a containerPort only with --publish-all; podman 4.3 always does and has no such option. */
    private static synchronized boolean publishAllSupported() {
        if (publishAll == null) {
            publishAll = Podman.run(Duration.ofSeconds(30), "kube", "play", "--help").output().contains("--publish-all");
        }
        return publishAll;
    }
}
