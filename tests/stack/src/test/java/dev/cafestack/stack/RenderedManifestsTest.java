package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;

/**
 * Every rendered manifest of every environment, as `mvn package` left it in each module's target/cafe/&lt;env&gt;/:
 * parsed strictly with the fabric8 model, and checked for what the stack promises of its workloads.
 */
class RenderedManifestsTest {

    private static final Map<String, List<HasMetadata>> CACHE = new HashMap<>();

    /** Everything one environment renders, across all modules. */
    static List<HasMetadata> stack(String env) {
        return CACHE.computeIfAbsent(env, e -> {
            List<HasMetadata> all = new ArrayList<>();
            for (Path module : Stack.manifestModules()) {
                all.addAll(StrictManifests.read(Stack.rendered(module, e)));
            }
            return all;
        });
    }

    static <T extends HasMetadata> List<T> all(String env, Class<T> kind) {
        return stack(env).stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** The app's workloads: the Deployments of the environment's app namespace (cafe.namespace). */
    static List<Deployment> appDeployments(String env) {
        String ns = Stack.environment(env).getProperty("cafe.namespace");
        return all(env, Deployment.class).stream().filter(d -> ns.equals(d.getMetadata().getNamespace())).toList();
    }

    /** A workload's pods, whatever its kind (Deployment, StatefulSet, DaemonSet, Job). */
    record Workload(HasMetadata resource, PodTemplateSpec template) {
        String kind() {
            return resource.getKind();
        }

        String namespace() {
            return resource.getMetadata().getNamespace();
        }

        String name() {
            return resource.getMetadata().getName();
        }

        Map<String, String> labels() {
            return Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of());
        }

        List<String> portNames() {
            return template.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                    .map(ContainerPort::getName).toList();
        }
    }

    static List<Workload> workloads(String env) {
        List<Workload> workloads = new ArrayList<>();
        for (HasMetadata r : stack(env)) {
            PodTemplateSpec template = r instanceof Deployment d ? d.getSpec().getTemplate()
                    : r instanceof StatefulSet s ? s.getSpec().getTemplate()
                    : r instanceof DaemonSet ds ? ds.getSpec().getTemplate()
                    : r instanceof Job j ? j.getSpec().getTemplate() : null;
            if (template != null) {
                workloads.add(new Workload(r, template));
            }
        }
        return workloads;
    }

    static <T extends HasMetadata> T one(String env, Class<T> kind, String name) {
        List<T> found = all(env, kind).stream().filter(r -> name.equals(r.getMetadata().getName())).toList();
        assertThat(found).as(env + ": " + kind.getSimpleName() + " " + name).hasSize(1);
        return found.get(0);
    }

    @Test
    @DisplayName("the modules that render manifests include the platform, the mesh, logging, tracing, latte and mocha")
    void manifestModules() {
        assertThat(Stack.manifestModules()).map(Stack::name)
                .contains("platform/cluster", "mesh/istio", "observability/efk", "observability/tracing", "services/latte",
                        "services/mocha");
    }

    @TestFactory
    @DisplayName("every module renders every environment, and each file parses strictly with the fabric8 model")
    Stream<DynamicTest> everyEnvironmentParsesStrictly() {
        return Stack.environments().stream().flatMap(env -> Stack.manifestModules().stream().map(module ->
                dynamicTest(env + ": " + Stack.name(module), () -> {
                    Path file = Stack.rendered(module, env);
                    assertThat(file).as("rendered by mvn package").exists();
                    assertThat(StrictManifests.read(file)).isNotEmpty();
                    // A ${lower.case.key} is a build value left unfilled; ${UPPER_CASE} (and ${env:NAME}) is a container's
                    // environment variable that a tool's configuration reads at run time (Fluent Bit, Elasticsearch, Jaeger).
                    assertThat(Files.readString(file)).as("no placeholder left")
                            .doesNotContainPattern("\\$\\{[a-z][a-z0-9.-]*\\}").doesNotContain("@track@");
                })));
    }

    @TestFactory
    @DisplayName("every workload of the stack's own images (mocha, latte, the WeCom relay) runs as the stack promises: labels, probes, resources, locked-down security, rollouts")
    Stream<DynamicTest> workloadsAreHardened() {
        return Stack.environments().stream().flatMap(env -> ownWorkloads(env).stream().map(w ->
                dynamicTest(env + ": " + w.kind() + " " + w.name(), () -> checkWorkload(env, w))));
    }

    @TestFactory
    @DisplayName("no workload gets every Service of its namespace as service-link variables (<SERVICE>_SERVICE_HOST, <SERVICE>_PORT, ...): Services are reached by DNS")
    Stream<DynamicTest> noWorkloadGetsServiceLinks() {
        return Stack.environments().stream().flatMap(env -> workloads(env).stream().map(w ->
                dynamicTest(env + ": " + w.kind() + " " + w.namespace() + "/" + w.name(), () ->
                        assertThat(w.template().getSpec().getEnableServiceLinks())
                                .as("%s: %s %s/%s sets enableServiceLinks: false in its pod spec", env, w.kind(),
                                        w.namespace(), w.name())
                                .isFalse())));
    }

    /** The workloads held to the stack's pod rules here: those running the stack's own images (mocha, latte, the
     *  WeCom relay) and every workload of the app, kube-system and Istio namespaces (Headlamp, metrics-server,
     *  Kiali). The observability modules' third-party workloads (Prometheus, Fluent Bit, ...) need host access or
     *  other exceptions and are checked by their own modules. */
    static List<Workload> ownWorkloads(String env) {
        List<String> namespaces = List.of(Stack.environment(env).getProperty("cafe.namespace"), "kube-system",
                Stack.shared().getProperty("istio.namespace"));
        List<Workload> own = workloads(env).stream()
                .filter(w -> w.resource() instanceof Deployment || w.resource() instanceof StatefulSet)
                .filter(w -> namespaces.contains(w.namespace()) || builtHere(env, w.template())).toList();
        assertThat(own).as(env + ": the app's workloads are among them").extracting(Workload::name)
                .contains("mocha", "latte-v1");
        return own;
    }

    /** Whether every container of a pod runs an image this repository builds (pushed to cafe.image.registry). */
    static boolean builtHere(String env, PodTemplateSpec template) {
        String registry = Stack.environment(env).getProperty("cafe.image.registry") + "/";
        return template.getSpec().getContainers().stream().allMatch(c -> c.getImage().startsWith(registry));
    }

    private static void checkWorkload(String env, Workload workload) {
        String at = env + " " + workload.kind() + " " + workload.name();
        Map<String, String> labels = workload.template().getMetadata().getLabels();
        assertThat(labels).as(at + " pod labels").containsKeys("app", "version");
        if (workload.resource() instanceof Deployment deployment) {
            assertThat(labels).as(at + " selector matches the pods")
                    .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
            var strategy = deployment.getSpec().getStrategy();
            assertThat(strategy.getType()).isEqualTo("RollingUpdate");
            assertThat(strategy.getRollingUpdate().getMaxSurge().getStrVal()).as(at).isEqualTo("25%");
            assertThat(strategy.getRollingUpdate().getMaxUnavailable().getStrVal()).as(at).isEqualTo("25%");
        } else if (workload.resource() instanceof StatefulSet set) {
            // A StatefulSet's pods own their volumes: replaced one at a time, never surged.
            assertThat(labels).as(at + " selector matches the pods")
                    .containsAllEntriesOf(set.getSpec().getSelector().getMatchLabels());
            assertThat(set.getSpec().getUpdateStrategy().getType()).as(at).isEqualTo("RollingUpdate");
        }

        PodSpec pod = workload.template().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(at + " runAsNonRoot").isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).as(at + " runAsUser").isPositive();
        if (Boolean.TRUE.equals(pod.getAutomountServiceAccountToken())) {
            // Only a pod that talks to the API server mounts a token, and only with rights the stack grants on purpose.
            assertThat(bindingsOf(env, workload.namespace(), pod.getServiceAccountName()))
                    .as(at + " mounts an API token: its ServiceAccount must be bound to the role it needs")
                    .isNotEmpty()
                    .allSatisfy(role -> assertThat(role).as(at + " is never an administrator")
                            .isNotIn("cluster-admin", "admin", "edit"));
        } else {
            assertThat(pod.getAutomountServiceAccountToken()).as(at + " no API token (set false explicitly)").isFalse();
        }
        assertThat(pod.getTerminationGracePeriodSeconds()).as(at + " grace period").isGreaterThanOrEqualTo(30L);
        one(env, ServiceAccount.class, pod.getServiceAccountName());

        for (Container c : pod.getContainers()) {
            String cat = at + "/" + c.getName();
            assertThat(c.getLivenessProbe()).as(cat + " liveness").isNotNull();
            assertThat(c.getReadinessProbe()).as(cat + " readiness").isNotNull();
            assertThat(c.getLifecycle().getPreStop()).as(cat + " preStop pause").isNotNull();
            long preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
            assertThat(preStop).as(cat + " preStop fits the grace period").isLessThan(pod.getTerminationGracePeriodSeconds());

            Map<String, Quantity> requests = c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources().getLimits();
            assertThat(requests).as(cat + " requests").containsKeys("cpu", "memory");
            assertThat(limits).as(cat + " limits").containsKeys("cpu", "memory");
            assertThat(Quantity.getAmountInBytes(requests.get("memory")))
                    .as(cat + " memory request = limit (no overcommit)")
                    .isEqualTo(Quantity.getAmountInBytes(limits.get("memory")));

            var sc = c.getSecurityContext();
            assertThat(sc.getReadOnlyRootFilesystem()).as(cat + " read-only root").isTrue();
            assertThat(sc.getAllowPrivilegeEscalation()).as(cat + " no privilege escalation").isFalse();
            assertThat(sc.getCapabilities().getDrop()).as(cat + " drops all capabilities").containsExactly("ALL");
            assertThat(sc.getPrivileged()).as(cat + " not privileged").isNotEqualTo(Boolean.TRUE);
            assertThat(sc.getCapabilities().getAdd()).as(cat + " adds none").isNullOrEmpty();

            VolumeMount tmp = c.getVolumeMounts().stream().filter(m -> "/tmp".equals(m.getMountPath())).findFirst()
                    .orElseThrow(() -> new AssertionError(cat + ": no writable /tmp"));
            assertThat(pod.getVolumes()).as(cat + " /tmp is an emptyDir")
                    .anyMatch(v -> v.getName().equals(tmp.getName()) && v.getEmptyDir() != null);

            if (!c.getImage().startsWith(Stack.environment(env).getProperty("cafe.image.registry") + "/")) {
                // A third-party image (Headlamp, metrics-server, Kiali, ...): pinned to an exact release, never floating.
                assertThat(c.getImage()).as(cat + " third-party image pinned to an exact version or digest")
                        .matches(".+(:v?[0-9]+\\.[0-9]+\\.[0-9]+([-.][0-9A-Za-z.]+)?|@sha256:[0-9a-f]{64})");
                continue;
            }
            Properties values = Stack.environment(env);
            assertThat(c.getImage()).as(cat + " image from the environment's registry")
                    .startsWith(values.getProperty("cafe.image.registry") + "/");
            Map<String, String> vars = new HashMap<>();
            c.getEnv().forEach(e -> vars.put(e.getName(), e.getValue()));
            assertThat(vars.get("QUARKUS_PROFILE")).as(cat + " runs the cafe Quarkus profile of its environment")
                    .isEqualTo("cafe-" + env);
            if (c.getName().equals("mocha") || c.getName().equals("latte")) {
                // The traced services: the SDK switch and the ratio of new traces their TraceGate samples.
                assertThat(vars.get("QUARKUS_OTEL_SDK_DISABLED")).isEqualTo(values.getProperty("cafe.tracing.disabled"));
                assertThat(vars.get("CAFE_TRACE_SAMPLING")).as(cat + " samples new traces at the environment's ratio")
                        .isEqualTo(values.getProperty("cafe.trace.sampling"));
            }
            assertThat(vars.get("QUARKUS_LOG_CONSOLE_JSON_ENABLED")).isEqualTo(values.getProperty("cafe.log.json"));
        }
    }

    /** The roles (ClusterRole or Role names) that the stack binds to a ServiceAccount, in one environment. */
    static List<String> bindingsOf(String env, String namespace, String serviceAccount) {
        Stream<Map.Entry<io.fabric8.kubernetes.api.model.rbac.RoleRef, List<io.fabric8.kubernetes.api.model.rbac.Subject>>> bindings =
                Stream.concat(
                        all(env, io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class).stream()
                                .map(b -> Map.entry(b.getRoleRef(), b.getSubjects())),
                        all(env, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class).stream()
                                .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
                                .map(b -> Map.entry(b.getRoleRef(), b.getSubjects())));
        return bindings.filter(b -> b.getValue().stream().anyMatch(subject -> "ServiceAccount".equals(subject.getKind())
                        && serviceAccount.equals(subject.getName()) && namespace.equals(subject.getNamespace())))
                .map(b -> b.getKey().getName()).toList();
    }

    @TestFactory
    @DisplayName("every Service port is named and reaches a named container port of the pods it selects")
    Stream<DynamicTest> servicesReachTheirPods() {
        return Stack.environments().stream().flatMap(env -> all(env, Service.class).stream().map(s ->
                dynamicTest(env + ": " + s.getMetadata().getName(), () -> {
                    if ("ExternalName".equals(s.getSpec().getType())) {
                        // A name for a dependency outside the cluster (platform/cluster, cluster.external-services).
                        assertThat(s.getSpec().getSelector()).as("an ExternalName Service selects no pods").isNullOrEmpty();
                        assertThat(s.getSpec().getExternalName()).isNotBlank();
                        return;
                    }
                    assertThat(s.getSpec().getType()).as("no NodePort/LoadBalancer: the mesh gateway is the way in")
                            .isEqualTo("ClusterIP");
                    List<Workload> backends = workloads(env).stream()
                            .filter(w -> w.namespace().equals(s.getMetadata().getNamespace()))
                            .filter(w -> w.labels().entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                            .toList();
                    assertThat(backends).as(env + " " + s.getMetadata().getName() + " selects pods").isNotEmpty();
                    for (ServicePort port : s.getSpec().getPorts()) {
                        assertThat(port.getName()).as("port name").isNotBlank();
                        for (Workload w : backends) {
                            assertThat(w.portNames()).as(w.name() + " serves port " + port.getName())
                                    .contains(port.getTargetPort().getStrVal());
                        }
                    }
                })));
    }

    @TestFactory
    @DisplayName("latte's Service speaks gRPC on a port named grpc, so Istio balances per request")
    Stream<DynamicTest> latteIsGrpc() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            ServicePort grpc = one(env, Service.class, "latte").getSpec().getPorts().stream()
                    .filter(p -> p.getName().equals("grpc")).findFirst().orElseThrow();
            assertThat(grpc.getAppProtocol()).isEqualTo("grpc");
        }));
    }

    @TestFactory
    @DisplayName("latte-v1 always; latte-v2 exactly when the environment names a canary tag")
    Stream<DynamicTest> latteCanaryFollowsTheEnvironment() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            Properties values = Stack.environment(env);
            String registry = values.getProperty("cafe.image.registry");
            String canary = values.getProperty("latte.canary.tag", "").trim();
            Deployment v1 = one(env, Deployment.class, "latte-v1");
            assertThat(v1.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("version", "v1");
            List<String> names = all(env, Deployment.class).stream().map(d -> d.getMetadata().getName())
                    .filter(n -> n.startsWith("latte-")).toList();
            if (canary.isEmpty()) {
                assertThat(names).containsExactly("latte-v1");
            } else {
                assertThat(names).containsExactlyInAnyOrder("latte-v1", "latte-v2");
                Deployment v2 = one(env, Deployment.class, "latte-v2");
                assertThat(v2.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("version", "v2");
                assertThat(v2.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                        .isEqualTo(registry + "/latte:" + canary);
            }
            for (Deployment d : all(env, Deployment.class)) {
                if (d.getMetadata().getName().startsWith("latte-")) {
                    assertThat(d.getSpec().getReplicas()).isEqualTo(Integer.valueOf(values.getProperty("latte.replicas")));
                }
            }
        }));
    }

    @TestFactory
    @DisplayName("mocha's ConfigMap holds the environment's mocha.yaml as committed, mounted where mocha reads it")
    Stream<DynamicTest> mochaConfigMapIsTheEnvironmentsFile() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            ConfigMap config = one(env, ConfigMap.class, "mocha-config");
            assertThat(config.getData().get("mocha.yaml")).isEqualTo(read(mochaConfig(env)));
            Deployment mocha = one(env, Deployment.class, "mocha");
            Container c = mocha.getSpec().getTemplate().getSpec().getContainers().get(0);
            VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/config"))
                    .findFirst().orElseThrow();
            assertThat(mount.getReadOnly()).isTrue();
            assertThat(mocha.getSpec().getTemplate().getSpec().getVolumes())
                    .anyMatch(v -> v.getName().equals(mount.getName()) && v.getConfigMap() != null
                            && v.getConfigMap().getName().equals("mocha-config"));
            assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("MOCHA_CONFIG") && e.getValue().equals("/config/mocha.yaml"));
            assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("LATTE_HOST")
                    && e.getValue().equals(Stack.environment(env).getProperty("mocha.latte.host")));
        }));
    }

    @Test
    @DisplayName("mocha's config hash on the pod template differs between environments exactly when their config files do")
    void configHashFollowsTheConfigFileOnly() {
        Map<String, String> hashByEnv = new HashMap<>();
        for (String env : Stack.environments()) {
            String hash = one(env, Deployment.class, "mocha").getSpec().getTemplate().getMetadata().getAnnotations()
                    .get("cafe-stack.dev/config-hash");
            assertThat(hash).as(env).matches("[0-9a-f]{64}");
            hashByEnv.put(env, hash);
        }
        List<String> envs = Stack.environments();
        int differing = 0;
        for (String a : envs) {
            for (String b : envs) {
                boolean sameFile = read(mochaConfig(a)).equals(read(mochaConfig(b)));
                boolean sameHash = hashByEnv.get(a).equals(hashByEnv.get(b));
                assertThat(sameHash).as(a + " vs " + b + ": same config file <=> same hash").isEqualTo(sameFile);
                differing += sameFile ? 0 : 1;
            }
        }
        // The environments must exercise both directions, else this test proves nothing.
        assertThat(differing).as("some environments differ in their config").isPositive();
        assertThat(envs.stream().map(hashByEnv::get).distinct().count()).as("some share it").isLessThan(envs.size());
    }

    @TestFactory
    @DisplayName("the app namespace is rendered once, by platform/cluster, with sidecar injection; every resource lives in a namespace that exists")
    Stream<DynamicTest> namespaceRenderedOnce() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            String ns = Stack.environment(env).getProperty("cafe.namespace");
            List<Namespace> namespaces = all(env, Namespace.class).stream()
                    .filter(n -> n.getMetadata().getName().equals(ns)).toList();
            assertThat(namespaces).hasSize(1);
            assertThat(namespaces.get(0).getMetadata().getLabels()).containsEntry("istio-injection", "enabled");
            Path cluster = Stack.ROOT.resolve("platform/cluster");
            assertThat(StrictManifests.read(Stack.rendered(cluster, env))).contains(namespaces.get(0));
            // Namespaces the stack renders, plus the two that exist before k8s:apply: kube-system (every cluster) and
            // the Istio namespace (istioctl install, which comes first: mesh/istio/README.md).
            List<String> existing = new ArrayList<>(all(env, Namespace.class).stream().map(n -> n.getMetadata().getName()).toList());
            existing.add("kube-system");
            existing.add(Stack.shared().getProperty("istio.namespace"));
            for (HasMetadata r : stack(env)) {
                String what = r.getKind() + " " + r.getMetadata().getName();
                if (r instanceof io.fabric8.kubernetes.api.model.Namespaced) {
                    assertThat(r.getMetadata().getNamespace()).as(what + " names its namespace").isIn(existing);
                } else {
                    assertThat(r.getMetadata().getNamespace()).as(what + " is cluster-scoped").isNull();
                }
            }
            assertThat(all(env, Namespace.class)).as("one source per namespace")
                    .extracting(n -> n.getMetadata().getName()).doesNotHaveDuplicates();
            assertThat(appDeployments(env)).as("the cafe workloads are in " + ns).isNotEmpty();
        }));
    }

    @TestFactory
    @DisplayName("a rendered manifest carries no build-time value: an unchanged rebuild renders identical YAML")
    Stream<DynamicTest> noBuildTimeValues() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            for (HasMetadata r : stack(env)) {
                Map<String, String> annotations = new HashMap<>(Objects.requireNonNullElse(r.getMetadata().getAnnotations(), Map.of()));
                if (r instanceof Deployment d) {
                    annotations.putAll(Objects.requireNonNullElse(d.getSpec().getTemplate().getMetadata().getAnnotations(), Map.of()));
                }
                if (r instanceof StatefulSet set) {
                    annotations.putAll(Objects.requireNonNullElse(set.getSpec().getTemplate().getMetadata().getAnnotations(), Map.of()));
                }
                assertThat(annotations.keySet()).as(r.getKind() + " " + r.getMetadata().getName())
                        .noneMatch(k -> k.startsWith("jkube.io/") || k.startsWith("jkube.eclipse.org/")
                                || k.contains("timestamp") || k.contains("build"));
            }
        }));
    }

    private static Path mochaConfig(String env) {
        return Stack.ROOT.resolve("services/mocha/src/main/config").resolve(env).resolve("mocha.yaml");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String names(List<? extends HasMetadata> resources) {
        return resources.stream().map(r -> r.getKind() + "/" + r.getMetadata().getName()).collect(Collectors.joining(", "));
    }
}
