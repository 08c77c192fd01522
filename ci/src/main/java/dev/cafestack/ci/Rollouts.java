package dev.cafestack.ci;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Waits until Deployments have rolled out, by the rule {@code kubectl rollout status} uses: the controller saw the
 * latest spec, every replica runs the new template, no old replica is left, every new one is available.
 *
 * <pre>./mvnw -pl ci exec:java@rollout -P &lt;env&gt;   (every Deployment of the environment's rendered manifests)</pre>
 */
public final class Rollouts {

    private static final Duration POLL = Duration.ofSeconds(2);

    private Rollouts() {
    }

    /** Why {@code deployment} has not rolled out yet; null when it has. */
    static String pending(Deployment deployment) {
        if (deployment == null) {
            return "not found in the cluster";
        }
        DeploymentStatus status = deployment.getStatus();
        if (status == null) {
            return "no status yet";
        }
        Long generation = deployment.getMetadata().getGeneration();
        Long observed = status.getObservedGeneration();
        if (generation != null && (observed == null || observed < generation)) {
            return "waiting for the controller to see generation " + generation;
        }
        int wanted = deployment.getSpec() != null && deployment.getSpec().getReplicas() != null
                ? deployment.getSpec().getReplicas() : 1;
        int updated = count(status.getUpdatedReplicas());
        int total = count(status.getReplicas());
        int available = count(status.getAvailableReplicas());
        if (updated < wanted) {
            return updated + " of " + wanted + " replicas updated";
        }
        if (total > updated) {
            return (total - updated) + " old replicas pending termination";
        }
        if (available < updated) {
            return available + " of " + updated + " updated replicas available";
        }
        return null;
    }

    /**
     * Polls until every named Deployment ({@code namespace/name}) has rolled out or {@code timeout} passed; returns the
     * ones that did not, each with why.
     */
    static List<String> await(KubernetesClient client, List<String> deployments, Duration timeout, PrintStream out) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> waiting = new LinkedHashMap<>();
        deployments.forEach(d -> waiting.put(d, "not checked yet"));
        while (true) {
            for (String key : List.copyOf(waiting.keySet())) {
                String[] nsName = key.split("/", 2);
                String why = pending(client.apps().deployments().inNamespace(nsName[0]).withName(nsName[1]).get());
                if (why == null) {
                    waiting.remove(key);
                    out.println("[rollout] " + key + " rolled out");
                } else {
                    waiting.put(key, why);
                }
            }
            if (waiting.isEmpty() || System.nanoTime() >= deadline) {
                break;
            }
            try {
                Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String> failed = new ArrayList<>();
        waiting.forEach((key, why) -> failed.add(key + ": " + why + " after " + timeout.toSeconds() + " s"));
        return failed;
    }

    /** Every Deployment of {@code env}'s rendered manifests; returns the exit code. */
    static int run(KubernetesClient client, Path root, String env, Duration timeout, PrintStream out) {
        List<String> deployments = RenderedManifests.ofKind(RenderedManifests.resources(root, env), Deployment.class)
                .stream().map(d -> d.getMetadata().getNamespace() + "/" + d.getMetadata().getName()).toList();
        if (deployments.isEmpty()) {
            out.println("[rollout] no Deployment in the rendered " + env + " manifests: build first (./mvnw install -P "
                    + env + ")");
            return 1;
        }
        List<String> failed = await(client, deployments, timeout, out);
        failed.forEach(f -> out.println("[rollout] NOT ROLLED OUT " + f));
        return failed.isEmpty() ? 0 : 1;
    }

    public static void main(String[] args) {
        Cli cli = Cli.parse("Rollouts <root> <env> [--guard=..] [--timeout=5m]", args);
        Main.exit(cli, () -> {
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                return run(client, cli.root(), cli.env(), cli.duration("timeout", Duration.ofMinutes(5)), System.out);
            }
        });
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }
}
