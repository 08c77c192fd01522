package dev.cafestack.eks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goals' command lines (dry run) and their refusals, on the real rendered files of the build. */
class EksCommandTest {

    static final Path OUT = ClusterConfigCheckTest.OUT;

    @TempDir
    Path emptyPath;

    record Outcome(String printed, String failure) {
    }

    Outcome run(String goal, String env, boolean dryRun, String nodes, String confirm) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // A PATH with no eksctl and no aws on it, whatever this machine has.
        String failure = EksCommand.run(
                new String[] {goal, env, OUT.toString(), String.valueOf(dryRun), nodes, confirm,
                    "src/main"},
                Map.of("PATH", emptyPath.toString()), out);
        return new Outcome(bytes.toString(StandardCharsets.UTF_8), failure);
    }

    String file(String env) {
        return OUT.resolve(env).resolve("cluster.yaml").toAbsolutePath().toString();
    }

    @Test
    @DisplayName("cluster-create in a dry run prints eksctl create cluster with the environment's rendered file")
    void create() {
        Outcome outcome = run("cluster-create", "dev", true, "", "");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.printed()).isEqualTo(
                "[eks] dev dry run: eksctl create cluster --config-file " + file("dev") + "\n");
    }

    @Test
    @DisplayName("cluster-update in a dry run prints the control-plane upgrade, the add-on update and new node groups")
    void update() {
        Outcome outcome = run("cluster-update", "prod", true, "", "");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.printed()).isEqualTo(
                "[eks] prod dry run: eksctl upgrade cluster --config-file " + file("prod") + " --approve\n"
                        + "[eks] prod dry run: eksctl update addon --config-file " + file("prod") + "\n"
                        + "[eks] prod dry run: eksctl create nodegroup --config-file " + file("prod") + "\n");
    }

    @Test
    @DisplayName("cluster-scale in a dry run prints eksctl scale nodegroup with the cluster, region and node count")
    void scale() {
        Outcome outcome = run("cluster-scale", "test", true, "3", "");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.printed()).isEqualTo("[eks] test dry run: eksctl scale nodegroup --cluster cafe-test "
                + "--region ap-east-1 --name workers --nodes 3\n");
    }

    @Test
    @DisplayName("cluster-scale refuses a node count outside the environment's min..max")
    void scaleOutsideRange() {
        assertThat(run("cluster-scale", "dev", true, "9", "").failure())
                .isEqualTo("-Dnodes=9 is outside 1..3 (eks.nodes.min..eks.nodes.max of the environment file); change "
                        + "those to go further");
    }

    @Test
    @DisplayName("cluster-scale without -Dnodes says how to give it")
    void scaleWithoutNodes() {
        assertThat(run("cluster-scale", "dev", true, "", "").failure())
                .isEqualTo("cluster-scale needs the node count: -Dnodes=<n> (1..3 for cafe-dev)");
    }

    @Test
    @DisplayName("cluster-delete in a dry run prints eksctl delete cluster and waits for it")
    void delete() {
        Outcome outcome = run("cluster-delete", "dev", true, "", "");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.printed())
                .isEqualTo("[eks] dev dry run: eksctl delete cluster --config-file " + file("dev") + " --wait\n");
    }

    @Test
    @DisplayName("cluster-delete for real needs the cluster's name repeated in -Dconfirm")
    void deleteNeedsConfirmation() {
        Outcome outcome = run("cluster-delete", "prod", false, "", "cafe-dev");
        assertThat(outcome.failure()).isEqualTo("cluster-delete deletes cafe-prod and everything on it: repeat its "
                + "name to confirm (-Dconfirm=cafe-prod)");
        assertThat(outcome.printed()).isEmpty();
    }

    @Test
    @DisplayName("kubeconfig in a dry run prints aws eks update-kubeconfig for the environment's cluster")
    void kubeconfig() {
        Outcome outcome = run("kubeconfig", "prod", true, "", "");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.printed()).isEqualTo(
                "[eks] prod dry run: aws eks update-kubeconfig --region ap-east-1 --name cafe-prod --alias cafe-prod\n");
    }

    @Test
    @DisplayName("Without eksctl on the PATH a goal stops with one line and the install hint")
    void missingEksctl() {
        Outcome outcome = run("cluster-create", "dev", false, "", "");
        assertThat(outcome.failure()).isEqualTo("eksctl is not installed (not on the PATH): install it, see "
                + "https://eksctl.io/installation/ (or add -Dcafe.eks.dry-run=true to print the commands)");
        assertThat(outcome.printed()).isEmpty();
    }

    @Test
    @DisplayName("Without aws on the PATH kubeconfig stops with one line and the install hint")
    void missingAws() {
        assertThat(run("kubeconfig", "dev", false, "", "").failure()).isEqualTo("aws is not installed (not on the "
                + "PATH): install it, see https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"
                + " (or add -Dcafe.eks.dry-run=true to print the commands)");
    }

    @Test
    @DisplayName("The local environment has no EKS cluster: a goal says so instead of running anything")
    void localHasNoCluster() {
        assertThat(run("cluster-create", "local", true, "", "").failure())
                .startsWith("environment local has no rendered ClusterConfig")
                .contains("environments/local.properties sets no eks.cluster.name (no EKS cluster)");
    }

    @Test
    @DisplayName("ecr-create in a dry run prints one aws ecr create-repository per declared repository")
    void ecrCreate() {
        Outcome outcome = run("ecr-create", "dev", true, "", "");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.printed()).isEqualTo(
                "[eks] dev dry run: aws ecr create-repository --region ap-east-1 --repository-name cafe/latte "
                        + "--image-scanning-configuration scanOnPush=true\n"
                        + "[eks] dev dry run: aws ecr create-repository --region ap-east-1 --repository-name cafe/mocha "
                        + "--image-scanning-configuration scanOnPush=true\n");
    }

    @Test
    @DisplayName("iam-create in a dry run prints aws iam create-policy for the operator's and the CI agent's document")
    void iamCreate() {
        Outcome outcome = run("iam-create", "dev", true, "", "");
        assertThat(outcome.failure()).isNull();
        String iam = Path.of("src/main/iam").toAbsolutePath().toString();
        assertThat(outcome.printed()).isEqualTo(
                "[eks] dev dry run: aws iam create-policy --policy-name cafe-eks-operator --policy-document file://"
                        + iam + "/operator-policy.json\n"
                        + "[eks] dev dry run: aws iam create-policy --policy-name cafe-ci-agent --policy-document file://"
                        + iam + "/ci-agent-policy.json\n");
    }
}
