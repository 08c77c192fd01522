package dev.cafestack.eks;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The subset of eksctl's {@code ClusterConfig} ({@code eksctl.io/v1alpha5}) that cafe-stack renders. Read strictly: a
 * field the model does not know fails the check, so a typo in the template or a field eksctl would ignore shows up at
 * build time. Field names are eksctl's (see its config file schema).
 */
public record ClusterConfig(
        String apiVersion,
        String kind,
        Metadata metadata,
        Iam iam,
        List<ManagedNodeGroup> managedNodeGroups,
        AddonsConfig addonsConfig,
        List<Addon> addons,
        Vpc vpc,
        AccessConfig accessConfig) {

    public record Metadata(String name, String region, String version, Map<String, String> tags) {
    }

    public record Iam(Boolean withOIDC, List<PodIdentityAssociation> podIdentityAssociations) {
    }

    public record PodIdentityAssociation(
            String namespace,
            String serviceAccountName,
            Boolean createServiceAccount,
            String roleARN,
            List<String> permissionPolicyARNs,
            PolicyDocument permissionPolicy) {
    }

    /** An IAM policy document, as in eksctl's {@code permissionPolicy} and in the JSON files under src/main/iam. */
    public record PolicyDocument(
            @JsonProperty("Version") String version,
            @JsonProperty("Statement") List<Statement> statement) {
    }

    public record Statement(
            @JsonProperty("Sid") String sid,
            @JsonProperty("Effect") String effect,
            @JsonProperty("Action") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> action,
            @JsonProperty("Resource") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> resource,
            @JsonProperty("Condition") Map<String, Map<String, Object>> condition) {
    }

    public record ManagedNodeGroup(
            String name,
            String amiFamily,
            List<String> instanceTypes,
            Integer minSize,
            Integer desiredCapacity,
            Integer maxSize,
            Integer volumeSize,
            Boolean privateNetworking,
            Map<String, String> labels,
            List<Taint> taints,
            Map<String, String> tags) {
    }

    public record Taint(String key, String value, String effect) {
    }

    public record AddonsConfig(Boolean autoApplyPodIdentityAssociations) {
    }

    public record Addon(String name, String version, String configurationValues) {
    }

    /** Who may use the cluster's Kubernetes API: EKS access entries (eksctl's accessConfig). */
    public record AccessConfig(
            String authenticationMode,
            Boolean bootstrapClusterCreatorAdminPermissions,
            List<AccessEntry> accessEntries) {
    }

    public record AccessEntry(
            String principalARN,
            String type,
            List<String> kubernetesGroups,
            List<AccessPolicy> accessPolicies) {
    }

    public record AccessPolicy(String policyARN, AccessScope accessScope) {
    }

    public record AccessScope(String type, List<String> namespaces) {
    }

    public record Vpc(Subnets subnets) {
    }

    public record Subnets(@JsonProperty("private") Map<String, Subnet> privateSubnets) {
    }

    public record Subnet(String id) {
    }
}
