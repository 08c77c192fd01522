package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/** When a Deployment counts as rolled out (kubectl rollout status' rule). */
class RolloutsTest {

    private static Deployment deployment(Long generation, Long observed, int updated, int total, int available) {
        Deployment d = Fixtures.deployment("ns", "mocha", "img", "cm", "h");
        d.getMetadata().setGeneration(generation);
        d.getStatus().setObservedGeneration(observed);
        d.getStatus().setUpdatedReplicas(updated);
        d.getStatus().setReplicas(total);
        d.getStatus().setAvailableReplicas(available);
        return d;
    }

    @Test
    @DisplayName("rolled out: the controller saw the spec, every replica is new and available")
    void rolledOut() {
        assertThat(Rollouts.pending(deployment(3L, 3L, 2, 2, 2))).isNull();
    }

    @Test
    @DisplayName("not rolled out: an unseen generation, too few new replicas, old ones left, new ones unavailable, absent")
    void pending() {
        assertThat(Rollouts.pending(deployment(4L, 3L, 2, 2, 2))).contains("generation 4");
        assertThat(Rollouts.pending(deployment(3L, 3L, 1, 2, 2))).isEqualTo("1 of 2 replicas updated");
        assertThat(Rollouts.pending(deployment(3L, 3L, 2, 3, 2))).isEqualTo("1 old replicas pending termination");
        assertThat(Rollouts.pending(deployment(3L, 3L, 2, 2, 1))).isEqualTo("1 of 2 updated replicas available");
        assertThat(Rollouts.pending(null)).isEqualTo("not found in the cluster");
    }

    @Test
    @DisplayName("the deploy guard: a class name lets the goal run; the guard's message (no -P, not built) stops it")
    void guard() {
        assertThat(Cli.parse("u", "/r", "dev", "--guard=org.eclipse.jkube.kit.common.access.ClusterConfiguration")
                .guardRefusal()).isNull();
        assertThat(Cli.parse("u", "/r", "local", "--guard=NO ENVIRONMENT SELECTED: deploy with one of -P local")
                .guardRefusal()).startsWith("NO ENVIRONMENT SELECTED");
    }

    @Test
    @DisplayName("durations as the pom gives them: 90s, 5m, 250ms, plain seconds")
    void durations() {
        assertThat(Cli.parseDuration("5m", null)).hasMinutes(5);
        assertThat(Cli.parseDuration("90s", null)).hasSeconds(90);
        assertThat(Cli.parseDuration("250ms", null)).hasMillis(250);
        assertThat(Cli.parseDuration("42", null)).hasSeconds(42);
    }
}
