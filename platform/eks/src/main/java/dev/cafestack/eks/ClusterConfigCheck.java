package dev.cafestack.eks;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Checks the rendered eksctl ClusterConfig of every environment: it must deserialise into {@link ClusterConfig}
 * (unknown fields fail) and obey cafe-stack's rules. Every problem names the rendered file, the environment file and
 * the key to change, and why.
 *
 * <pre>java dev.cafestack.eks.ClusterConfigCheck &lt;environments-dir&gt; &lt;eks-out-dir&gt; &lt;env,env,...&gt;</pre>
 */
public final class ClusterConfigCheck {

    /** The oldest Kubernetes version EKS still gives standard support (1.34 until 2026-12-02; 1.35 is current). */
    static final int OLDEST_MINOR = 34;
    static final Set<String> REQUIRED_ADDONS = Set.of(
            "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "eks-pod-identity-agent");
    static final Set<String> TAINT_EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    // EKS: 1-100 characters, a letter first, then letters, digits and hyphens.
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,99}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]");
    private static final Pattern VERSION = Pattern.compile("1\\.([0-9]{1,2})");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9]+");
    private static final Pattern SUBNET_ID = Pattern.compile("subnet-([0-9a-f]{8}|[0-9a-f]{17})");
    private static final Pattern BUCKET_ARN = Pattern.compile("arn:aws:s3:::([^/]*)/.*");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern DNS_1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern SERVER_BLOCK = Pattern.compile("(?m)^([ \\t]*)(\\S+):53 \\{(.*?)^\\1\\}", Pattern.DOTALL);
    private static final Pattern FORWARD = Pattern.compile("(?m)^\\s*forward \\. (.*)$");
    /** Fields of the rendered file that come from an environment key, for messages about types and unknown fields. */
    private static final Map<String, String> FIELD_KEYS = Map.ofEntries(
            Map.entry("name", "eks.cluster.name"), Map.entry("region", "eks.region"),
            Map.entry("version", "eks.version"), Map.entry("instanceTypes", "eks.nodes.instance-types"),
            Map.entry("minSize", "eks.nodes.min"), Map.entry("desiredCapacity", "eks.nodes.desired"),
            Map.entry("maxSize", "eks.nodes.max"), Map.entry("volumeSize", "eks.nodes.volume-size"),
            Map.entry("taints", "eks.nodes.taints"), Map.entry("private", "eks.vpc.private-subnets"),
            Map.entry("principalARN", "eks.ci.role-arn"));
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}");
    private static final String ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/";
    /** AWS access policies that stay inside namespaces when scoped to them (no RBAC, no cluster-wide rights). */
    static final Set<String> DEPLOY_POLICIES = Set.of(ACCESS_POLICY + "AmazonEKSEditPolicy", ACCESS_POLICY + "AmazonEKSViewPolicy");

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ClusterConfigCheck() {
    }

    /** Reads a rendered ClusterConfig strictly into the typed model. */
    public static ClusterConfig read(Path file) throws IOException {
        return YAML.readValue(file.toFile(), ClusterConfig.class);
    }

    /** The problems of one environment's rendered file; empty when it is good. */
    public static List<String> check(Path file, String env) {
        String envFile = "environments/" + env + ".properties";
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            problems.add(file + ": missing; " + envFile + " sets eks.cluster.name, so the build must render it");
            return problems;
        }
        ClusterConfig config;
        try {
            config = read(file);
        } catch (JsonMappingException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
            String key = field == null ? null : FIELD_KEYS.get(field);
            problems.add(file + ": " + (key != null ? envFile + " " + key + ": " : "")
                    + "does not read as an eksctl ClusterConfig at " + e.getPathReference().replaceAll(".*ClusterConfig", "")
                    + ": " + oneLine(e.getOriginalMessage()));
            return problems;
        } catch (IOException e) {
            problems.add(file + ": not valid YAML: " + oneLine(e.getMessage()));
            return problems;
        }
        for (String problem : problems(config, env)) {
            problems.add(file + ": " + problem);
        }
        return problems;
    }

    /** The rule violations of a typed config, each starting with the environment file and key to change. */
    static List<String> problems(ClusterConfig config, String env) {
        String envFile = "environments/" + env + ".properties ";
        String template = "src/main/eks/cluster.yaml ";
        List<String> problems = new ArrayList<>();
        if (!"eksctl.io/v1alpha5".equals(config.apiVersion()) || !"ClusterConfig".equals(config.kind())) {
            problems.add(template + "apiVersion/kind: must be eksctl.io/v1alpha5 ClusterConfig, not "
                    + config.apiVersion() + " " + config.kind());
        }
        ClusterConfig.Metadata metadata = config.metadata();
        if (metadata == null) {
            problems.add(template + "metadata: missing");
            return problems;
        }
        if (metadata.name() == null || !CLUSTER_NAME.matcher(metadata.name()).matches()) {
            problems.add(envFile + "eks.cluster.name: '" + metadata.name()
                    + "' is not an EKS cluster name (a letter, then letters, digits and '-', at most 100 characters)");
        }
        if (metadata.region() == null || !REGION.matcher(metadata.region()).matches()) {
            problems.add(envFile + "eks.region: '" + metadata.region() + "' is not an AWS region (like ap-east-1)");
        }
        Matcher version = VERSION.matcher(String.valueOf(metadata.version()));
        if (!version.matches()) {
            problems.add(envFile + "eks.version: '" + metadata.version()
                    + "' is not a Kubernetes minor version (like 1.35)");
        } else if (Integer.parseInt(version.group(1)) < OLDEST_MINOR) {
            problems.add(envFile + "eks.version: " + metadata.version() + " is out of EKS standard support (oldest: 1."
                    + OLDEST_MINOR + ")");
        }
        nodeGroups(config, envFile, template, problems);
        subnets(config, metadata.region(), envFile, problems);
        addons(config, envFile, template, problems);
        podIdentity(config, envFile, problems);
        access(config, envFile, template, problems);
        return problems;
    }

    private static void nodeGroups(ClusterConfig config, String envFile, String template, List<String> problems) {
        if (config.managedNodeGroups() == null || config.managedNodeGroups().isEmpty()) {
            problems.add(template + "managedNodeGroups: at least one managed node group is needed");
            return;
        }
        for (ClusterConfig.ManagedNodeGroup group : config.managedNodeGroups()) {
            String where = " (node group " + group.name() + ")";
            if (!"AmazonLinux2023".equals(group.amiFamily())) {
                problems.add(template + "amiFamily: '" + group.amiFamily() + "'" + where
                        + " must be AmazonLinux2023 (AL2 AMIs ended on 2025-11-26)");
            }
            if (!Boolean.TRUE.equals(group.privateNetworking())) {
                problems.add(template + "privateNetworking: must be true" + where + ": nodes get no public IP");
            }
            if (group.instanceTypes() == null || group.instanceTypes().isEmpty()) {
                problems.add(envFile + "eks.nodes.instance-types: empty" + where + ": name at least one (like m7i.large)");
            } else {
                for (String type : group.instanceTypes()) {
                    if (type == null || !INSTANCE_TYPE.matcher(type).matches()) {
                        problems.add(envFile + "eks.nodes.instance-types: '" + type + "'" + where
                                + " is not an EC2 instance type (like m7i.large)");
                    }
                }
            }
            Integer min = group.minSize();
            Integer desired = group.desiredCapacity();
            Integer max = group.maxSize();
            if (min == null || desired == null || max == null) {
                problems.add(envFile + "eks.nodes.min/desired/max: all three are needed" + where);
            } else if (min < 1) {
                problems.add(envFile + "eks.nodes.min: " + min + where + " must be at least 1 (CoreDNS needs a node)");
            } else if (min > desired) {
                problems.add(envFile + "eks.nodes.desired: " + desired + " is below eks.nodes.min " + min + where
                        + " (min <= desired <= max)");
            } else if (desired > max) {
                problems.add(envFile + "eks.nodes.desired: " + desired + " is above eks.nodes.max " + max + where
                        + " (min <= desired <= max)");
            }
            if (group.volumeSize() != null && group.volumeSize() < 20) {
                problems.add(envFile + "eks.nodes.volume-size: " + group.volumeSize() + where
                        + " GiB is too small for the node's images (at least 20)");
            }
            if (group.taints() != null) {
                for (ClusterConfig.Taint taint : group.taints()) {
                    if (taint.key() == null || taint.key().isEmpty() || !TAINT_EFFECTS.contains(taint.effect())) {
                        problems.add(envFile + "eks.nodes.taints: '" + taint.key() + "=" + taint.value() + ":"
                                + taint.effect() + "'" + where + " is not <key>=<value>:<effect> with effect one of "
                                + "NoSchedule, PreferNoSchedule, NoExecute");
                    }
                }
            }
        }
    }

    private static void subnets(ClusterConfig config, String region, String envFile, List<String> problems) {
        if (config.vpc() == null || config.vpc().subnets() == null) {
            return; // eksctl creates the VPC
        }
        Map<String, ClusterConfig.Subnet> subnets = config.vpc().subnets().privateSubnets();
        if (subnets == null || subnets.size() < 2) {
            problems.add(envFile + "eks.vpc.private-subnets: EKS needs subnets in at least two availability zones, got "
                    + (subnets == null ? 0 : subnets.size()));
            return;
        }
        subnets.forEach((zone, subnet) -> {
            if (region == null || !zone.matches(Pattern.quote(region) + "[a-z]")) {
                problems.add(envFile + "eks.vpc.private-subnets: '" + zone + "' is not an availability zone of "
                        + region + " (like " + region + "a)");
            }
            String id = subnet == null ? null : subnet.id();
            if (id == null || !SUBNET_ID.matcher(id).matches()) {
                problems.add(envFile + "eks.vpc.private-subnets: '" + id + "' (" + zone
                        + ") is not a subnet id (subnet- and 8 or 17 hex digits)");
            }
        });
    }

    private static void addons(ClusterConfig config, String envFile, String template, List<String> problems) {
        Set<String> names = new LinkedHashSet<>();
        if (config.addons() != null) {
            config.addons().forEach(addon -> names.add(addon.name()));
        }
        for (String required : REQUIRED_ADDONS.stream().sorted().toList()) {
            if (!names.contains(required)) {
                problems.add(template + "addons: the " + required + " add-on is missing");
            }
        }
        if (config.addons() == null) {
            return;
        }
        for (ClusterConfig.Addon addon : config.addons()) {
            if ("coredns".equals(addon.name()) && addon.configurationValues() != null) {
                coreDns(addon.configurationValues(), envFile, template, problems);
            }
            if ("vpc-cni".equals(addon.name()) && !networkPolicyEnabled(addon.configurationValues())) {
                problems.add(template + "vpc-cni configurationValues: enableNetworkPolicy must be \"true\", or the "
                        + "cluster ignores platform/cluster's NetworkPolicies");
            }
        }
    }

    private static boolean networkPolicyEnabled(String values) {
        try {
            JsonNode node = values == null ? null : YAML.readTree(values);
            return node != null && "true".equals(node.path("enableNetworkPolicy").asText());
        } catch (JacksonException e) {
            return false;
        }
    }

    private static void coreDns(String values, String envFile, String template, List<String> problems) {
        String corefile;
        try {
            JsonNode node = YAML.readTree(values);
            corefile = node == null || node.get("corefile") == null ? null : node.get("corefile").asText();
        } catch (JacksonException e) {
            problems.add(template + "coredns configurationValues: not valid YAML: " + oneLine(e.getOriginalMessage()));
            return;
        }
        if (corefile == null) {
            problems.add(template + "coredns configurationValues: no corefile");
            return;
        }
        Matcher block = SERVER_BLOCK.matcher(corefile);
        boolean root = false;
        while (block.find()) {
            String zone = block.group(2);
            boolean isRoot = ".".equals(zone);
            root |= isRoot;
            String key = isRoot ? "eks.dns.upstream" : "eks.dns.stub-domains";
            if (!isRoot && (!DNS_1123_SUBDOMAIN.matcher(zone).matches() || zone.length() > 253)) {
                problems.add(envFile + key + ": stub domain '" + zone + "' is not a DNS-1123 subdomain "
                        + "(lower case letters, digits, '-' and '.')");
            }
            Matcher forward = FORWARD.matcher(block.group(3));
            if (!forward.find()) {
                problems.add(envFile + key + ": no resolver for '" + zone + "'");
                continue;
            }
            String[] resolvers = forward.group(1).trim().split("\\s+");
            for (String resolver : resolvers) {
                boolean ok = IPV4.matcher(resolver).matches() || (isRoot && "/etc/resolv.conf".equals(resolver));
                if (!ok || resolver.isEmpty()) {
                    problems.add(envFile + key + ": '" + resolver + "' (for '" + zone + "') is not an IPv4 address"
                            + (isRoot ? " or /etc/resolv.conf" : ""));
                }
            }
        }
        if (!root) {
            problems.add(template + "coredns configurationValues: the corefile has no root server block (.:53)");
        }
    }

    private static void podIdentity(ClusterConfig config, String envFile, List<String> problems) {
        if (config.iam() == null || config.iam().podIdentityAssociations() == null) {
            return;
        }
        for (ClusterConfig.PodIdentityAssociation association : config.iam().podIdentityAssociations()) {
            if (association.permissionPolicy() == null) {
                continue;
            }
            for (ClusterConfig.Statement statement : association.permissionPolicy().statement()) {
                for (String resource : statement.resource()) {
                    Matcher arn = BUCKET_ARN.matcher(resource);
                    if (arn.matches() && !BUCKET.matcher(arn.group(1)).matches()) {
                        problems.add(envFile + "eks.logs.bucket: '" + arn.group(1) + "' is not an S3 bucket name "
                                + "(3-63 lower case letters, digits, '.' and '-')");
                    }
                }
            }
        }
    }

    /**
     * The access entries: the API decides (no aws-auth ConfigMap), and every entry the template adds (the CI agent) is
     * an IAM role with namespaced edit/view policies only: no cluster scope, no admin policy. The cluster creator (the
     * operator running cluster-create) is the one administrator, through eksctl's bootstrap entry.
     */
    private static void access(ClusterConfig config, String envFile, String template, List<String> problems) {
        ClusterConfig.AccessConfig access = config.accessConfig();
        if (access == null || access.accessEntries() == null || access.accessEntries().isEmpty()) {
            problems.add(template + "accessConfig.accessEntries: missing; the CI agent's access entry (eks.ci.role-arn) is needed");
            return;
        }
        if (!"API".equals(access.authenticationMode())) {
            problems.add(template + "accessConfig.authenticationMode: '" + access.authenticationMode()
                    + "' must be API (access entries only; no aws-auth ConfigMap to edit by hand)");
        }
        for (ClusterConfig.AccessEntry entry : access.accessEntries()) {
            if (entry.principalARN() == null || !ROLE_ARN.matcher(entry.principalARN()).matches()) {
                problems.add(envFile + "eks.ci.role-arn: '" + entry.principalARN()
                        + "' is not an IAM role ARN (like arn:aws:iam::123456789012:role/cafe-ci-agent)");
            }
            String who = " (access entry " + entry.principalARN() + ")";
            if (entry.accessPolicies() == null || entry.accessPolicies().isEmpty()) {
                problems.add(template + "accessPolicies: none" + who + ": name the namespaced policy it deploys with");
                continue;
            }
            for (ClusterConfig.AccessPolicy policy : entry.accessPolicies()) {
                if (!DEPLOY_POLICIES.contains(policy.policyARN())) {
                    problems.add(template + "policyARN: '" + policy.policyARN() + "'" + who
                            + " is not least privilege for a deploy: use " + String.join(" or ", DEPLOY_POLICIES.stream().sorted().toList()));
                }
                ClusterConfig.AccessScope scope = policy.accessScope();
                if (scope == null || !"namespace".equals(scope.type()) || scope.namespaces() == null
                        || scope.namespaces().isEmpty()) {
                    problems.add(template + "accessScope: " + (scope == null ? "missing" : "type '" + scope.type() + "'")
                            + who + ": must be type namespace with the namespaces it deploys to, never the whole cluster");
                } else {
                    for (String namespace : scope.namespaces()) {
                        if (namespace.contains("*") || !DNS_1123_LABEL.matcher(namespace).matches()) {
                            problems.add(envFile + "cafe.namespace: '" + namespace + "'" + who
                                    + " is not one namespace (a DNS-1123 label, no wildcard)");
                        }
                    }
                }
            }
        }
    }

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
    }

    /** Whether an environment has an EKS cluster: its file sets eks.cluster.name. */
    public static boolean hasCluster(Path environments, String env) throws IOException {
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(environments.resolve(env + ".properties"), StandardCharsets.UTF_8)) {
            values.load(reader);
        }
        return values.containsKey("eks.cluster.name");
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ClusterConfigCheck <environments-dir> <eks-out-dir> <env,env,...>");
            System.exit(2);
        }
        Path environments = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        for (String env : args[2].split(",")) {
            env = env.trim();
            if (hasCluster(environments, env)) {
                problems.addAll(check(out.resolve(env).resolve("cluster.yaml"), env));
                checked.add(env);
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("[eks config] " + p));
            throw new IllegalStateException("eksctl ClusterConfig is invalid:\n  " + String.join("\n  ", problems));
        }
        System.out.println("[eks config] ok: " + String.join(",", checked) + " in " + out
                + " (environments without eks.cluster.name have no EKS cluster)");
    }
}
