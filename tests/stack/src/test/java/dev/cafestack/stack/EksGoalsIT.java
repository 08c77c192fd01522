package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cafestack.tests.goals.NestedMaven;

/**
 * platform/eks through Maven, as a person runs it: the goals in dry-run mode (eksctl and aws are not needed), and the
 * render and check of the ClusterConfig on a copy of the environment files (the committed ones are never touched).
 */
@DisplayName("platform/eks's Maven goals")
class EksGoalsIT {

    private static final Path EKS = Stack.ROOT.resolve("platform/eks");

    @TempDir
    Path copy;

    @Test
    @DisplayName("print the exact eksctl and aws command lines with the environment's rendered file in a dry run")
    void dryRun() {
        NestedMaven.Result result = NestedMaven.in(Stack.ROOT).quiet().run("eks-dry-run", "-o", "-pl",
                "platform/eks", "-P", "prod", "-Dcafe.eks.dry-run=true", "-Dnodes=4",
                "exec:java@cluster-create", "exec:java@cluster-update", "exec:java@cluster-scale",
                "exec:java@cluster-delete", "exec:java@kubeconfig", "exec:java@ecr-create", "exec:java@iam-create");
        String file = EKS.resolve("target/eks/prod/cluster.yaml").toString();
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.plainOutput()).containsSubsequence(
                "[eks] prod dry run: eksctl create cluster --config-file " + file + "\n",
                "[eks] prod dry run: eksctl upgrade cluster --config-file " + file + " --approve\n",
                "[eks] prod dry run: eksctl update addon --config-file " + file + "\n",
                "[eks] prod dry run: eksctl create nodegroup --config-file " + file + "\n",
                "[eks] prod dry run: eksctl scale nodegroup --cluster cafe-prod --region ap-east-1 --name workers "
                        + "--nodes 4\n",
                "[eks] prod dry run: eksctl delete cluster --config-file " + file + " --wait\n",
                "[eks] prod dry run: aws eks update-kubeconfig --region ap-east-1 --name cafe-prod --alias cafe-prod\n",
                "[eks] prod dry run: aws ecr create-repository --region ap-east-1 --repository-name cafe/latte "
                        + "--image-scanning-configuration scanOnPush=true\n",
                "[eks] prod dry run: aws ecr create-repository --region ap-east-1 --repository-name cafe/mocha "
                        + "--image-scanning-configuration scanOnPush=true\n",
                "[eks] prod dry run: aws iam create-policy --policy-name cafe-eks-operator --policy-document file://"
                        + EKS.resolve("src/main/iam/operator-policy.json") + "\n",
                "[eks] prod dry run: aws iam create-policy --policy-name cafe-ci-agent --policy-document file://"
                        + EKS.resolve("src/main/iam/ci-agent-policy.json") + "\n");
    }

    @Test
    @DisplayName("refuse to render when an environment file lacks an eks key, naming the file")
    void missingKeyFailsTheRender() throws IOException {
        Path environments = copyEnvironments();
        Path test = environments.resolve("test.properties");
        Files.writeString(test, Files.readString(test).replaceAll("(?m)^eks\\.nodes\\.volume-size=.*\\n", ""));

        NestedMaven.Result result = render(environments, "eks-missing-key", "generate-resources");

        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.plainOutput()).contains("environments/test.properties lacks a value used by")
                .contains("add the missing eks.* key(s) to the environment file");
    }

    @Test
    @DisplayName("fail the build on a bad value, naming the environment file and the key")
    void badValueFailsTheCheck() throws IOException {
        Path environments = copyEnvironments();
        Path dev = environments.resolve("dev.properties");
        Files.writeString(dev, Files.readString(dev).replace("eks.nodes.desired=2", "eks.nodes.desired=7"));

        NestedMaven.Result result = render(environments, "eks-bad-value", "process-classes");

        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.plainOutput())
                .contains("environments/dev.properties eks.nodes.desired: 7 is above eks.nodes.max 3")
                .doesNotContain("environments/prod.properties eks.");
    }

    @Test
    @DisplayName("render the environment's taints as eksctl taints, and pass them through the check")
    void taintsRender() throws IOException {
        Path environments = copyEnvironments();
        Path dev = environments.resolve("dev.properties");
        Files.writeString(dev, Files.readString(dev).replace("eks.nodes.taints=\n",
                "eks.nodes.taints=dedicated=cafe:NoSchedule, spot=true:PreferNoSchedule\n"));

        NestedMaven.Result result = render(environments, "eks-taints", "process-classes");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(Files.readString(copy.resolve("out/dev/cluster.yaml"))).contains("    taints: [{key: \"dedicated\", "
                + "value: \"cafe\", effect: \"NoSchedule\"}, {key: \"spot\", value: \"true\", effect: "
                + "\"PreferNoSchedule\"}]\n");
    }

    /** Runs platform/eks up to {@code phase} on copied environment files, writing to a throwaway eks.out. */
    private NestedMaven.Result render(Path root, String log, String phase) {
        return NestedMaven.in(Stack.ROOT).quiet().run(log, "-o", "-pl", "platform/eks",
                "-Dcafe.root=" + root.getParent(), "-Deks.out=" + copy.resolve("out"), phase);
    }

    private Path copyEnvironments() throws IOException {
        Path environments = Files.createDirectories(copy.resolve("root/environments"));
        try (var files = Files.list(Stack.ROOT.resolve("environments"))) {
            for (Path file : files.toList()) {
                Files.copy(file, environments.resolve(file.getFileName()));
            }
        }
        return environments;
    }
}
