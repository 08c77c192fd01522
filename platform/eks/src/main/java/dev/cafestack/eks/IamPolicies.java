package dev.cafestack.eks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The rules for cafe-stack's IAM policy documents (src/main/iam/*.json): strict JSON in the IAM grammar's subset we
 * use, Version 2012-10-17, named statements, and no wildcard action unless the allowlist (wildcard-actions.txt) names
 * it with a reason. A bare "*" action is never allowed.
 */
public final class IamPolicies {

    static final String VERSION = "2012-10-17";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private IamPolicies() {
    }

    public static ClusterConfig.PolicyDocument read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ClusterConfig.PolicyDocument.class);
    }

    /** The allowlisted wildcard actions: the first word of each line, '#' starts a comment. */
    public static Set<String> allowlist(Path file) throws IOException {
        Set<String> actions = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            String action = line.replaceFirst("#.*", "").trim();
            if (!action.isEmpty()) {
                actions.add(action.split("\\s+")[0]);
            }
        }
        return actions;
    }

    /** The problems of one policy file, each starting with its name. */
    public static List<String> problems(Path file, Set<String> allowlist) {
        String name = file.getFileName().toString();
        List<String> problems = new ArrayList<>();
        ClusterConfig.PolicyDocument policy;
        try {
            policy = read(file);
        } catch (IOException e) {
            problems.add(name + ": not an IAM policy document: " + ClusterConfigCheck.oneLine(e.getMessage()));
            return problems;
        }
        if (!VERSION.equals(policy.version())) {
            problems.add(name + ": Version must be \"" + VERSION + "\", not " + policy.version());
        }
        if (policy.statement() == null || policy.statement().isEmpty()) {
            problems.add(name + ": no Statement");
            return problems;
        }
        Set<String> sids = new HashSet<>();
        for (ClusterConfig.Statement statement : policy.statement()) {
            String sid = statement.sid();
            if (sid == null || !sid.matches("[A-Za-z0-9]+") || !sids.add(sid)) {
                problems.add(name + ": every statement needs a unique alphanumeric Sid, got " + sid);
            }
            if (!"Allow".equals(statement.effect()) && !"Deny".equals(statement.effect())) {
                problems.add(name + " " + sid + ": Effect must be Allow or Deny, not " + statement.effect());
            }
            if (statement.action() == null || statement.action().isEmpty()) {
                problems.add(name + " " + sid + ": no Action");
            } else {
                for (String action : statement.action()) {
                    if ("*".equals(action)) {
                        problems.add(name + " " + sid + ": the action \"*\" (everything) is never allowed");
                    } else if (action.contains("*") && !allowlist.contains(action)) {
                        problems.add(name + " " + sid + ": the wildcard action " + action
                                + " is not in wildcard-actions.txt (name the actions, or allowlist it with a reason)");
                    }
                }
            }
            if (statement.resource() == null || statement.resource().isEmpty()) {
                problems.add(name + " " + sid + ": no Resource");
            }
        }
        return problems;
    }
}
