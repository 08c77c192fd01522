package dev.cafestack.stack;

import static dev.cafestack.stack.RenderedManifestsTest.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * Fluentd archives logs to S3 with the AWS role that platform/eks associates with a ServiceAccount (EKS Pod Identity):
 * the rendered Fluentd pods must run as exactly that ServiceAccount in exactly that namespace, write to the bucket and
 * under the prefix the role's policy allows, in the cluster's region. Read from both modules' rendered output.
 */
@DisplayName("Log archive wiring")
class LogArchiveWiringTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TestFactory
    @DisplayName("Fluentd runs as the ServiceAccount platform/eks gives its S3 role, and writes where that role may put objects")
    Stream<DynamicTest> fluentdUsesItsPodIdentity() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            Properties values = Stack.environment(env);
            StatefulSet fluentd = one(env, StatefulSet.class, "fluentd");
            JsonNode s3 = YAML.readTree(one(env, ConfigMap.class, "fluentd-config").getData().get("archive.yaml"))
                    .path("config").findValue("match");
            assertThat(s3.path("$type").asText()).isEqualTo("s3");
            assertThat(s3.has("aws_key_id") || s3.has("aws_sec_key")).as("no AWS keys: the pod's identity").isFalse();
            boolean archives = List.of(values.getProperty("fluentd.outputs").split(",")).contains("archive");
            if (!values.containsKey("eks.cluster.name")) {
                assertThat(archives).as(env + " has no EKS cluster, so no Pod Identity: no S3 archive").isFalse();
                return;
            }
            JsonNode cluster = YAML.readTree(Stack.ROOT.resolve("platform/eks/target/eks").resolve(env)
                    .resolve("cluster.yaml").toFile());
            List<JsonNode> associations = new ArrayList<>();
            cluster.path("iam").path("podIdentityAssociations").forEach(associations::add);
            JsonNode association = associations.stream()
                    .filter(a -> a.path("serviceAccountName").asText()
                            .equals(fluentd.getSpec().getTemplate().getSpec().getServiceAccountName()))
                    .findFirst().orElseThrow(() -> new AssertionError(env + ": platform/eks has no Pod Identity association for "
                            + "the ServiceAccount " + fluentd.getSpec().getTemplate().getSpec().getServiceAccountName()));
            assertThat(association.path("namespace").asText()).as("the association's namespace")
                    .isEqualTo(fluentd.getMetadata().getNamespace());
            List<String> resources = new ArrayList<>();
            association.path("permissionPolicy").path("Statement").forEach(st -> {
                if (st.path("Action").toString().contains("s3:PutObject")) {
                    st.path("Resource").forEach(r -> resources.add(r.asText()));
                }
            });
            String bucket = s3.path("s3_bucket").asText();
            String path = s3.path("path").asText();
            assertThat(bucket).as("logging.s3.bucket is the bucket platform/eks grants (eks.logs.bucket)")
                    .isEqualTo(values.getProperty("eks.logs.bucket"));
            assertThat(s3.path("s3_region").asText()).isEqualTo(values.getProperty("eks.region"));
            assertThat(resources).as("the role may put the archive's objects")
                    .anySatisfy(r -> assertThat("arn:aws:s3:::" + bucket + "/" + path).startsWith(r.replaceAll("\\*$", "")));
        }));
    }
}
