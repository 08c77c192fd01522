package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;

/**
 * No credential is written into anything the build renders: Secrets are created outside the repository and only
 * referred to (secretKeyRef, a Secret volume), and configuration files read credentials from environment variables.
 */
class NoCredentialsTest {

    /** A credential-looking key and the value after it (YAML, JSON, properties, a shell -u user:password). */
    static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(password|passwd|secret|shared_key|sec_key|key_id|token|api_key)[\\\\\"']*[ \t]*[:=][ \t]*([^\\s,}]+)");
    private static final Pattern USER_PASSWORD = Pattern.compile("-u\\s+\"?[A-Za-z0-9_]+:([^\"\\s]+)");
    private static final Pattern KEY_MATERIAL = Pattern.compile("AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----");

    /** Every file the build renders for a cluster: each module's manifests, the Istio install, the EKS cluster configs. */
    static List<Path> renderedFiles() {
        List<Path> files = new ArrayList<>();
        for (Path module : Stack.manifestModules()) {
            Stack.environments().forEach(env -> files.add(Stack.rendered(module, env)));
        }
        for (String dir : List.of("mesh/istio/target/istio", "platform/eks/target/eks")) {
            try (Stream<Path> walk = Files.walk(Stack.ROOT.resolve(dir))) {
                walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /**
     * What a credential's value may be: a reference resolved at run time (${VARIABLE}, $VARIABLE, Fluentd's
     * #{ENV['VARIABLE']}), or the command that reads it from its Secret (a panel's login hint: kubectl ... get secret).
     */
    static boolean isReference(String value) {
        String v = value.replaceAll("^[\\\\\"']+|[\\\\\"']+$", "");
        return v.startsWith("$") || v.startsWith("!fluent/s") || v.startsWith("#{ENV[") || v.isEmpty() || v.equals("kubectl")
                || v.equals("true") || v.equals("false");
    }

    static List<String> findings(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = ASSIGNMENT.matcher(text);
        while (m.find()) {
            if (!isReference(m.group(2))) {
                found.add(m.group());
            }
        }
        Matcher u = USER_PASSWORD.matcher(text);
        while (u.find()) {
            if (!u.group(1).startsWith("$")) {
                found.add(u.group());
            }
        }
        Matcher k = KEY_MATERIAL.matcher(text);
        while (k.find()) {
            found.add(k.group());
        }
        return found;
    }

    @Test
    @DisplayName("the scan finds a password, a shared key, a curl -u password and key material written in plain text")
    void scanFindsPlainCredentials() {
        assertThat(findings("password: hunter2")).hasSize(1);
        assertThat(findings("  shared_key: s3cr3t-value\n")).hasSize(1);
        assertThat(findings("{\\\"password\\\":\\\"Pa55word\\\"}")).hasSize(1);
        assertThat(findings("curl -u \"elastic:changeme\" https://x")).hasSize(1);
        assertThat(findings("aws_key_id: AKIAABCDEFGHIJKLMNOP")).hasSize(2);
        assertThat(findings("password: ${env:ELASTICSEARCH_PASSWORD}\nshared_key: ${FLUENTD_SHARED_KEY}\nsecret:\n  secretName: x\n"
                + "panel-login: \"user elastic; password: kubectl -n logging get secret elasticsearch-credentials\"\n"
                + "password: !fluent/s \"#{ENV['ELASTICSEARCH_PASSWORD']}\"\n-u \"elastic:$ELASTIC_PASSWORD\"")).isEmpty();
    }

    @TestFactory
    @DisplayName("no rendered file holds a credential in plain text")
    Stream<DynamicTest> noPlainCredentials() {
        return renderedFiles().stream().map(file -> dynamicTest(Stack.ROOT.relativize(file).toString(), () ->
                assertThat(findings(Files.readString(file))).as(file.toString()).isEmpty()));
    }

    @TestFactory
    @DisplayName("no Secret is rendered, and every credential a container gets comes from a Secret reference")
    Stream<DynamicTest> secretsAreReferences() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            assertThat(RenderedManifestsTest.all(env, Secret.class)).as("Secrets are created outside the repository").isEmpty();
            for (RenderedManifestsTest.Workload w : RenderedManifestsTest.workloads(env)) {
                List<Container> containers = new ArrayList<>(w.template().getSpec().getContainers());
                if (w.template().getSpec().getInitContainers() != null) {
                    containers.addAll(w.template().getSpec().getInitContainers());
                }
                for (Container c : containers) {
                    for (EnvVar var : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                        if (var.getName().matches(".*(PASSWORD|SECRET|TOKEN|SHARED_KEY|API_KEY).*_(FILE|PATH|DIR)")) {
                            // Where a credential is, not the credential: a path inside a volume mounted from a Secret.
                            List<String> secretMounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts().stream()
                                    .filter(m -> w.template().getSpec().getVolumes().stream().anyMatch(v ->
                                            v.getName().equals(m.getName()) && v.getSecret() != null))
                                    .map(m -> m.getMountPath()).toList();
                            assertThat(secretMounts).as(w.name() + "/" + c.getName() + " " + var.getName()
                                    + " points into a Secret volume").anyMatch(var.getValue()::startsWith);
                        } else if (var.getName().matches(".*(PASSWORD|SECRET|TOKEN|SHARED_KEY|API_KEY).*")) {
                            assertThat(var.getValue()).as(w.name() + "/" + c.getName() + " " + var.getName()).isNull();
                            assertThat(var.getValueFrom().getSecretKeyRef()).as(var.getName() + " from a Secret").isNotNull();
                        }
                    }
                }
            }
        }));
    }
}
