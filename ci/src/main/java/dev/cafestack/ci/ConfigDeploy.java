package dev.cafestack.ci;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/**
 * The config-only deploy: for every Deployment of the environment's rendered manifests whose pod template carries
 * {@value #HASH}, compares the rendered hash with the live Deployment's. Where they differ it applies the ConfigMaps
 * the Deployment mounts and sets the new hash on the live pod template, which rolls the pods (and nothing else: the
 * image and every other field stay as the last full deploy left them). Then it waits for those rollouts.
 *
 * <p>Nothing is applied when any such Deployment is not in the cluster (a config-only deploy needs a deployed
 * environment: run the full pipeline first).
 *
 * <pre>./mvnw -pl ci exec:java@config-deploy -P &lt;env&gt;</pre>
 */
public final class ConfigDeploy {

    static final String HASH = "cafe-stack.dev/config-hash";

    private ConfigDeploy() {
    }

    /** One Deployment whose config changed: the hashes and the ConfigMaps to apply. */
    record Change(Deployment rendered, String liveHash, List<ConfigMap> configMaps) {

        String key() {
            return rendered.getMetadata().getNamespace() + "/" + rendered.getMetadata().getName();
        }

        String hash() {
            return hashOf(rendered);
        }
    }

    static int run(KubernetesClient client, Path root, String env, Duration timeout, PrintStream out) {
        List<HasMetadata> resources = RenderedManifests.resources(root, env);
        List<ConfigMap> configMaps = RenderedManifests.ofKind(resources, ConfigMap.class);
        List<Change> changes = new ArrayList<>();
        List<String> notDeployed = new ArrayList<>();
        int checked = 0;
        for (Deployment rendered : RenderedManifests.ofKind(resources, Deployment.class)) {
            String hash = hashOf(rendered);
            if (hash == null) {
                continue;
            }
            checked++;
            String ns = rendered.getMetadata().getNamespace();
            String name = rendered.getMetadata().getName();
            Deployment live = client.apps().deployments().inNamespace(ns).withName(name).get();
            if (live == null) {
                notDeployed.add(ns + "/" + name);
                continue;
            }
            String liveHash = hashOf(live);
            if (hash.equals(liveHash)) {
                out.println("[config] " + ns + "/" + name + ": config unchanged (" + shortHash(hash) + ")");
                continue;
            }
            List<ConfigMap> mounted = new ArrayList<>();
            for (String cm : configMapNames(rendered.getSpec().getTemplate().getSpec())) {
                configMaps.stream()
                        .filter(c -> c.getMetadata().getName().equals(cm) && Objects.equals(c.getMetadata().getNamespace(), ns))
                        .findFirst().ifPresent(mounted::add);
            }
            changes.add(new Change(rendered, liveHash, mounted));
        }
        if (checked == 0) {
            out.println("[config] no Deployment with a " + HASH + " annotation in the rendered " + env
                    + " manifests: build first (./mvnw -pl services/mocha,ci -am process-classes -P " + env + ")");
            return 1;
        }
        if (!notDeployed.isEmpty()) {
            out.println("[config] NOTHING APPLIED: not deployed in this cluster: " + String.join(", ", notDeployed)
                    + "; a config-only deploy needs a deployed environment (run the full pipeline first)");
            return 1;
        }
        if (changes.isEmpty()) {
            out.println("[config] no config change in " + env + ": nothing to apply");
            return 0;
        }
        for (Change change : changes) {
            for (ConfigMap cm : change.configMaps()) {
                client.resource(strip(cm)).createOr(NonDeletingOperation::update);
                out.println("[config] applied ConfigMap " + cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName());
            }
            String ns = change.rendered().getMetadata().getNamespace();
            client.apps().deployments().inNamespace(ns).withName(change.rendered().getMetadata().getName())
                    .edit(d -> new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).editSpec().editTemplate()
                            .editOrNewMetadata().addToAnnotations(HASH, change.hash()).endMetadata()
                            .endTemplate().endSpec().build());
            out.println("[config] rolled Deployment " + change.key() + ": config " + shortHash(change.liveHash())
                    + " -> " + shortHash(change.hash()));
        }
        List<String> failed = Rollouts.await(client, changes.stream().map(Change::key).toList(), timeout, out);
        failed.forEach(f -> out.println("[config] NOT ROLLED OUT " + f));
        return failed.isEmpty() ? 0 : 1;
    }

    static String hashOf(Deployment deployment) {
        if (deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
                || deployment.getSpec().getTemplate().getMetadata() == null) {
            return null;
        }
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HASH);
    }

    /** The ConfigMaps a pod uses: volumes (plain and projected), envFrom and single keys. */
    static Set<String> configMapNames(PodSpec pod) {
        Set<String> names = new LinkedHashSet<>();
        if (pod.getVolumes() != null) {
            pod.getVolumes().forEach(v -> {
                if (v.getConfigMap() != null) {
                    names.add(v.getConfigMap().getName());
                }
                if (v.getProjected() != null && v.getProjected().getSources() != null) {
                    v.getProjected().getSources().stream().filter(s -> s.getConfigMap() != null)
                            .forEach(s -> names.add(s.getConfigMap().getName()));
                }
            });
        }
        List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        for (var container : containers) {
            if (container.getEnvFrom() != null) {
                container.getEnvFrom().stream().filter(e -> e.getConfigMapRef() != null)
                        .forEach(e -> names.add(e.getConfigMapRef().getName()));
            }
            if (container.getEnv() != null) {
                container.getEnv().stream()
                        .filter(e -> e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null)
                        .forEach(e -> names.add(e.getValueFrom().getConfigMapKeyRef().getName()));
            }
        }
        return names;
    }

    private static ConfigMap strip(ConfigMap cm) {
        ConfigMap copy = new io.fabric8.kubernetes.api.model.ConfigMapBuilder(cm).build();
        copy.getMetadata().setResourceVersion(null);
        return copy;
    }

    private static String shortHash(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
    }

    public static void main(String[] args) {
        Cli cli = Cli.parse("ConfigDeploy <root> <env> [--guard=..] [--timeout=5m]", args);
        Main.exit(cli, () -> {
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                return run(client, cli.root(), cli.env(), cli.duration("timeout", Duration.ofMinutes(5)), System.out);
            }
        });
    }
}
