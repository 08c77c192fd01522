package dev.cafestack.eks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The build-time rules of the rendered ClusterConfig, one test per rule: each takes an environment's real rendered file,
 * changes one value the way a bad environment file would, and asserts the message names the env file, key and reason.
 */
class ClusterConfigCheckTest {

    static final Path OUT = Path.of(System.getProperty("eks.out", "target/eks"));
    static final Path ENVIRONMENTS = Path.of(System.getProperty("cafe.root", "../..")).resolve("environments");

    @TempDir
    Path temp;

    /** The problems of {@code env}'s rendered file after replacing {@code from} (which must occur) by {@code to}. */
    List<String> problemsAfter(String env, String from, String to) throws IOException {
        String rendered = Files.readString(OUT.resolve(env).resolve("cluster.yaml"), StandardCharsets.UTF_8);
        assertThat(rendered).as("the rendered %s ClusterConfig", env).contains(from);
        Path file = temp.resolve(env + "-cluster.yaml");
        Files.writeString(file, rendered.replace(from, to), StandardCharsets.UTF_8);
        return ClusterConfigCheck.check(file, env);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "test", "prod"})
    @DisplayName("Every environment with an EKS cluster renders a ClusterConfig that reads strictly and passes every rule")
    void everyRenderedConfigPasses(String env) throws IOException {
        assertThat(ClusterConfigCheck.hasCluster(ENVIRONMENTS, env)).isTrue();
        Path file = OUT.resolve(env).resolve("cluster.yaml");
        assertThat(ClusterConfigCheck.check(file, env)).isEmpty();
        ClusterConfig config = ClusterConfigCheck.read(file);
        assertThat(config.metadata().version()).isEqualTo("1.35");
        assertThat(config.metadata().name()).isEqualTo("cafe-" + env);
        assertThat(config.addons()).extracting(ClusterConfig.Addon::name)
                .containsAll(ClusterConfigCheck.REQUIRED_ADDONS);
    }

    @Test
    @DisplayName("The local environment has no EKS cluster, so nothing is rendered for it")
    void localHasNoCluster() throws IOException {
        assertThat(ClusterConfigCheck.hasCluster(ENVIRONMENTS, "local")).isFalse();
        assertThat(OUT.resolve("local")).doesNotExist();
    }

    @Test
    @DisplayName("Existing subnets are rendered only where the environment names them")
    void subnetsOnlyWhereNamed() throws IOException {
        assertThat(ClusterConfigCheck.read(OUT.resolve("dev/cluster.yaml")).vpc()).isNull();
        assertThat(ClusterConfigCheck.read(OUT.resolve("prod/cluster.yaml")).vpc().subnets().privateSubnets())
                .containsOnlyKeys("ap-east-1a", "ap-east-1b", "ap-east-1c");
    }

    @Test
    @DisplayName("Stub domains and upstream resolvers reach the coredns add-on's Corefile")
    void stubDomainsReachCorefile() throws IOException {
        String values = ClusterConfigCheck.read(OUT.resolve("prod/cluster.yaml")).addons().stream()
                .filter(a -> a.name().equals("coredns")).findFirst().orElseThrow().configurationValues();
        assertThat(values).contains("forward . 10.30.0.2 10.30.1.2\n", "corp.example.internal:53 {",
                "db.example.internal:53 {", "forward . 10.30.2.2\n");
    }

    @Test
    @DisplayName("A cluster name with an underscore is refused, naming eks.cluster.name")
    void clusterName() throws IOException {
        assertThat(problemsAfter("dev", "name: cafe-dev", "name: cafe_dev")).singleElement().asString()
                .contains("environments/dev.properties eks.cluster.name: 'cafe_dev' is not an EKS cluster name");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "test", "prod"})
    @DisplayName("The CI agent's access entry is its role with the edit policy scoped to the app namespace only")
    void ciAccessEntry(String env) throws IOException {
        ClusterConfig.AccessConfig access = ClusterConfigCheck.read(OUT.resolve(env).resolve("cluster.yaml")).accessConfig();
        assertThat(access.authenticationMode()).isEqualTo("API");
        assertThat(access.accessEntries()).singleElement().satisfies(entry -> {
            assertThat(entry.principalARN()).isEqualTo("arn:aws:iam::123456789012:role/cafe-ci-agent");
            assertThat(entry.kubernetesGroups()).containsExactly("cafe-ci-deployers");
            assertThat(entry.accessPolicies()).singleElement().satisfies(policy -> {
                assertThat(policy.policyARN()).isEqualTo("arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy");
                assertThat(policy.accessScope().type()).isEqualTo("namespace");
                assertThat(policy.accessScope().namespaces()).containsExactly("ecp-cafe");
            });
        });
    }

    @Test
    @DisplayName("A CI principal that is not an IAM role ARN is refused, naming eks.ci.role-arn")
    void ciRoleArn() throws IOException {
        assertThat(problemsAfter("dev", "principalARN: arn:aws:iam::123456789012:role/cafe-ci-agent",
                "principalARN: arn:aws:iam::123456789012:user/jenkins")).singleElement().asString()
                .contains("environments/dev.properties eks.ci.role-arn: 'arn:aws:iam::123456789012:user/jenkins' is not an IAM role ARN");
    }

    @Test
    @DisplayName("A cluster-wide scope for the CI agent is refused: it deploys into namespaces only")
    void ciClusterScope() throws IOException {
        assertThat(problemsAfter("dev", "type: namespace\n            namespaces:\n              - ecp-cafe",
                "type: cluster")).singleElement().asString()
                .contains("accessScope: type 'cluster'", "must be type namespace");
    }

    @Test
    @DisplayName("An admin access policy for the CI agent is refused: edit or view only")
    void ciAdminPolicy() throws IOException {
        assertThat(problemsAfter("prod", "cluster-access-policy/AmazonEKSEditPolicy", "cluster-access-policy/AmazonEKSClusterAdminPolicy"))
                .singleElement().asString()
                .contains("policyARN: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'", "is not least privilege");
    }

    @Test
    @DisplayName("A wildcard namespace for the CI agent is refused")
    void ciWildcardNamespace() throws IOException {
        assertThat(problemsAfter("test", "              - ecp-cafe", "              - ecp-*")).singleElement().asString()
                .contains("environments/test.properties cafe.namespace: 'ecp-*'", "is not one namespace");
    }

    @Test
    @DisplayName("The aws-auth ConfigMap mode is refused: access entries decide")
    void authenticationMode() throws IOException {
        assertThat(problemsAfter("dev", "authenticationMode: API", "authenticationMode: CONFIG_MAP")).singleElement().asString()
                .contains("accessConfig.authenticationMode: 'CONFIG_MAP' must be API");
    }

    @Test
    @DisplayName("A region that is not shaped like an AWS region is refused")
    void region() throws IOException {
        assertThat(problemsAfter("dev", "region: ap-east-1", "region: hongkong")).singleElement().asString()
                .contains("environments/dev.properties eks.region: 'hongkong' is not an AWS region");
    }

    @Test
    @DisplayName("A version with a patch number is refused: eksctl takes the minor version")
    void versionFormat() throws IOException {
        assertThat(problemsAfter("dev", "version: \"1.35\"", "version: \"1.35.2\"")).singleElement().asString()
                .contains("environments/dev.properties eks.version: '1.35.2' is not a Kubernetes minor version");
    }

    @Test
    @DisplayName("A version out of EKS standard support is refused")
    void versionSupport() throws IOException {
        assertThat(problemsAfter("dev", "version: \"1.35\"", "version: \"1.29\"")).singleElement().asString()
                .contains("environments/dev.properties eks.version: 1.29 is out of EKS standard support (oldest: 1.34)");
    }

    @Test
    @DisplayName("More desired nodes than the maximum are refused (min <= desired <= max)")
    void desiredAboveMax() throws IOException {
        assertThat(problemsAfter("dev", "desiredCapacity: 2", "desiredCapacity: 5")).singleElement().asString()
                .contains("environments/dev.properties eks.nodes.desired: 5 is above eks.nodes.max 3");
    }

    @Test
    @DisplayName("Fewer desired nodes than the minimum are refused (min <= desired <= max)")
    void desiredBelowMin() throws IOException {
        assertThat(problemsAfter("prod", "desiredCapacity: 3", "desiredCapacity: 2")).singleElement().asString()
                .contains("environments/prod.properties eks.nodes.desired: 2 is below eks.nodes.min 3");
    }

    @Test
    @DisplayName("A minimum of zero nodes is refused: CoreDNS needs a node")
    void minAtLeastOne() throws IOException {
        assertThat(problemsAfter("dev", "minSize: 1", "minSize: 0")).singleElement().asString()
                .contains("environments/dev.properties eks.nodes.min: 0 (node group workers) must be at least 1");
    }

    @Test
    @DisplayName("A node count that is not a number fails reading, naming the key")
    void nodeCountType() throws IOException {
        assertThat(problemsAfter("dev", "maxSize: 3", "maxSize: three")).singleElement().asString()
                .contains("environments/dev.properties eks.nodes.max: does not read as an eksctl ClusterConfig");
    }

    @Test
    @DisplayName("A field eksctl's model does not have fails reading (strict model)")
    void unknownField() throws IOException {
        assertThat(problemsAfter("dev", "    privateNetworking: true", "    privateNetworking: true\n    spotty: true"))
                .singleElement().asString()
                .contains("does not read as an eksctl ClusterConfig", "spotty");
    }

    @Test
    @DisplayName("An instance type without a size is refused")
    void instanceType() throws IOException {
        assertThat(problemsAfter("dev", "instanceTypes: [t3.large]", "instanceTypes: [t3]")).singleElement()
                .asString().contains("environments/dev.properties eks.nodes.instance-types: 't3' (node group workers) "
                        + "is not an EC2 instance type");
    }

    @Test
    @DisplayName("A node group on anything but Amazon Linux 2023 is refused")
    void amiFamily() throws IOException {
        assertThat(problemsAfter("dev", "amiFamily: AmazonLinux2023", "amiFamily: AmazonLinux2")).singleElement()
                .asString().contains("amiFamily: 'AmazonLinux2' (node group workers) must be AmazonLinux2023");
    }

    @Test
    @DisplayName("Nodes with public IPs are refused: privateNetworking must be true")
    void privateNetworking() throws IOException {
        assertThat(problemsAfter("dev", "privateNetworking: true", "privateNetworking: false")).singleElement()
                .asString().contains("privateNetworking: must be true (node group workers)");
    }

    @Test
    @DisplayName("A node volume under 20 GiB is refused")
    void volumeSize() throws IOException {
        assertThat(problemsAfter("dev", "volumeSize: 30", "volumeSize: 8")).singleElement().asString()
                .contains("environments/dev.properties eks.nodes.volume-size: 8 (node group workers) GiB is too small");
    }

    @Test
    @DisplayName("A taint with an effect Kubernetes does not know is refused")
    void taintEffect() throws IOException {
        assertThat(problemsAfter("dev", "taints: []", "taints: [{key: \"dedicated\", value: \"cafe\", effect: \"NoRun\"}]"))
                .singleElement().asString()
                .contains("environments/dev.properties eks.nodes.taints: 'dedicated=cafe:NoRun' (node group workers) "
                        + "is not <key>=<value>:<effect>");
    }

    @Test
    @DisplayName("A subnet id of the wrong shape is refused")
    void subnetId() throws IOException {
        assertThat(problemsAfter("prod", "subnet-0c1d2e3f4a5b6c7d8", "subnet-XYZ")).singleElement().asString()
                .contains("environments/prod.properties eks.vpc.private-subnets: 'subnet-XYZ' (ap-east-1a) is not a "
                        + "subnet id");
    }

    @Test
    @DisplayName("A subnet in an availability zone of another region is refused")
    void subnetZone() throws IOException {
        assertThat(problemsAfter("prod", "\"ap-east-1a\"", "\"us-east-1a\"")).singleElement().asString()
                .contains("environments/prod.properties eks.vpc.private-subnets: 'us-east-1a' is not an availability "
                        + "zone of ap-east-1");
    }

    @Test
    @DisplayName("Existing subnets in fewer than two availability zones are refused")
    void subnetsTwoZones() throws IOException {
        assertThat(problemsAfter("test", ", \"ap-east-1b\": {id: \"subnet-0b1c2d3e4f5a60719\"}", "")).singleElement()
                .asString().contains("eks.vpc.private-subnets: EKS needs subnets in at least two availability zones, "
                        + "got 1");
    }

    @Test
    @DisplayName("A missing required add-on is refused")
    void requiredAddon() throws IOException {
        assertThat(problemsAfter("dev", "  - name: aws-ebs-csi-driver\n", "")).singleElement().asString()
                .contains("addons: the aws-ebs-csi-driver add-on is missing");
    }

    @Test
    @DisplayName("A VPC CNI that does not enforce NetworkPolicies is refused")
    void vpcCniEnforcesNetworkPolicies() throws IOException {
        assertThat(problemsAfter("dev", "{\"enableNetworkPolicy\": \"true\"}", "{\"enableNetworkPolicy\": \"false\"}"))
                .singleElement().asString()
                .contains("vpc-cni configurationValues: enableNetworkPolicy must be \"true\"");
    }

    @Test
    @DisplayName("A stub domain that is not a DNS-1123 subdomain is refused")
    void stubDomainName() throws IOException {
        assertThat(problemsAfter("dev", "corp.example.internal:53", "Corp_Example:53")).singleElement().asString()
                .contains("environments/dev.properties eks.dns.stub-domains: stub domain 'Corp_Example' is not a "
                        + "DNS-1123 subdomain");
    }

    @Test
    @DisplayName("A stub-domain resolver that is not an IPv4 address is refused")
    void stubResolver() throws IOException {
        assertThat(problemsAfter("dev", "forward . 10.0.0.2", "forward . 10.0.0.300")).singleElement().asString()
                .contains("environments/dev.properties eks.dns.stub-domains: '10.0.0.300' (for 'corp.example.internal') "
                        + "is not an IPv4 address");
    }

    @Test
    @DisplayName("An upstream resolver that is neither an IPv4 address nor /etc/resolv.conf is refused")
    void upstreamResolver() throws IOException {
        assertThat(problemsAfter("dev", "forward . /etc/resolv.conf", "forward . dns.google")).singleElement()
                .asString().contains("environments/dev.properties eks.dns.upstream: 'dns.google' (for '.') is not an "
                        + "IPv4 address or /etc/resolv.conf");
    }

    @Test
    @DisplayName("A log bucket that is not a valid S3 bucket name is refused")
    void logBucket() throws IOException {
        assertThat(problemsAfter("dev", "arn:aws:s3:::cafe-dev-logs/", "arn:aws:s3:::Cafe_Dev_Logs/")).singleElement()
                .asString().contains("environments/dev.properties eks.logs.bucket: 'Cafe_Dev_Logs' is not an S3 bucket "
                        + "name");
    }
}
