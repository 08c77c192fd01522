package dev.cafestack.eks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The IAM policy documents of the operator and the CI agent, the wildcard allowlist, and the ECR repositories. */
class IamPolicyTest {

    static final Path IAM = Path.of("src/main/iam");
    static final Path REPOSITORIES = Path.of("src/main/ecr/repositories.txt");
    static final Path ROOT = Path.of(System.getProperty("cafe.root", "../.."));

    @TempDir
    Path temp;

    static List<Path> policies() throws IOException {
        try (Stream<Path> files = Files.list(IAM)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    static Set<String> allowlist() throws IOException {
        return IamPolicies.allowlist(IAM.resolve("wildcard-actions.txt"));
    }

    static List<String> actions(String policy) throws IOException {
        return IamPolicies.read(IAM.resolve(policy)).statement().stream()
                .flatMap(s -> s.action().stream()).toList();
    }

    List<String> problemsOf(String json) throws IOException {
        Path file = temp.resolve("bad-policy.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return IamPolicies.problems(file, allowlist());
    }

    @Test
    @DisplayName("There is a policy for the operator who runs eksctl and one for the CI agent")
    void bothPolicies() throws IOException {
        assertThat(policies()).extracting(p -> p.getFileName().toString())
                .containsExactly("ci-agent-policy.json", "operator-policy.json");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"operator-policy.json", "ci-agent-policy.json"})
    @DisplayName("Each policy parses strictly, has Version 2012-10-17, named statements, and no unlisted wildcard action")
    void policyIsValid(String policy) throws IOException {
        assertThat(IamPolicies.problems(IAM.resolve(policy), allowlist())).isEmpty();
    }

    @Test
    @DisplayName("Every allowlisted wildcard action is used by a policy, and \"*\" itself is never allowlisted")
    void allowlistIsUsedAndNarrow() throws IOException {
        List<String> used = Stream.concat(actions("operator-policy.json").stream(),
                actions("ci-agent-policy.json").stream()).toList();
        assertThat(allowlist()).doesNotContain("*").allSatisfy(action -> assertThat(used).contains(action));
    }

    @Test
    @DisplayName("The operator may list a role's attached policies and read the EKS AMI parameters (found missing later in the design)")
    void operatorHasTheLaterPermissions() throws IOException {
        assertThat(actions("operator-policy.json")).contains("iam:ListAttachedRolePolicies", "ssm:GetParameter");
    }

    @Test
    @DisplayName("The CI agent may push to exactly the declared ECR repositories and nothing else in ECR")
    void ciPushesToDeclaredRepositories() throws IOException {
        List<String> repositories = EksCommand.repositories(REPOSITORIES);
        List<String> pushResources = IamPolicies.read(IAM.resolve("ci-agent-policy.json")).statement().stream()
                .filter(s -> s.action().contains("ecr:PutImage"))
                .flatMap(s -> s.resource().stream()).toList();
        assertThat(pushResources).containsExactlyInAnyOrderElementsOf(
                repositories.stream().map(r -> "arn:aws:ecr:*:*:repository/" + r).toList());
    }

    @Test
    @DisplayName("Every service that builds an image has its ECR repository declared, and no other is declared")
    void everyImageHasARepository() throws IOException {
        List<String> services;
        try (Stream<Path> dirs = Files.list(ROOT.resolve("services"))) {
            services = dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                    .filter(d -> read(d.resolve("pom.xml")).contains("<cafe.image.skip>false</cafe.image.skip>"))
                    .map(d -> "cafe/" + d.getFileName())
                    .toList();
        }
        assertThat(services).isNotEmpty();
        assertThat(EksCommand.repositories(REPOSITORIES)).containsExactlyInAnyOrderElementsOf(services);
    }

    @Test
    @DisplayName("A bare \"*\" action is refused")
    void starRefused() throws IOException {
        assertThat(problemsOf("""
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
                """)).containsExactly("bad-policy.json All: the action \"*\" (everything) is never allowed");
    }

    @Test
    @DisplayName("A wildcard action that is not allowlisted is refused")
    void unlistedWildcardRefused() throws IOException {
        assertThat(problemsOf("""
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "Buckets", "Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::x"]}]}
                """)).containsExactly("bad-policy.json Buckets: the wildcard action s3:* is not in wildcard-actions.txt "
                + "(name the actions, or allowlist it with a reason)");
    }

    @Test
    @DisplayName("A policy with the old version date or without statements is refused")
    void versionAndStatement() throws IOException {
        assertThat(problemsOf("""
                {"Version": "2008-10-17", "Statement": []}
                """)).containsExactly("bad-policy.json: Version must be \"2012-10-17\", not 2008-10-17",
                "bad-policy.json: no Statement");
    }

    @Test
    @DisplayName("A misspelt policy field is refused (strict reading)")
    void misspeltField() throws IOException {
        assertThat(problemsOf("""
                {"Version": "2012-10-17", "Statements": []}
                """)).singleElement().asString()
                .startsWith("bad-policy.json: not an IAM policy document:").contains("Statements");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
