package dev.cafestack.observability.prometheus;

import static dev.cafestack.observability.prometheus.Monitoring.YAML;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Every environment's rendered prometheus.yml, checked by promtool. Debian's promtool (2.42) is built without Kubernetes
 * service discovery (Debian does not package its client libraries), so it cannot parse kubernetes_sd_configs: the
 * check hands promtool the same file with each kubernetes_sd_configs block replaced by a file_sd_configs block, and
 * checks the Kubernetes blocks here, field by field. Everything else - relabelling, TLS, authorization, alerting, the
 * rule files it names - is promtool's verdict, in full mode (files it refers to must exist).
 */
@DisplayName("prometheus.yml")
class PrometheusConfigTest {

    static final Set<String> SD_ROLES = Set.of("node", "service", "pod", "endpoints", "endpointslice", "ingress");
    static final String IN_CLUSTER = "/var/run/secrets/kubernetes.io/serviceaccount/";

    @TempDir
    Path tmp;

    @TestFactory
    @DisplayName("promtool check config accepts every environment's configuration with its rule files")
    Stream<DynamicTest> promtoolAcceptsEveryEnvironment() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            Path checked = forPromtool(env, (ObjectNode) Monitoring.yaml(Monitoring.config(env).resolve("prometheus.yml")));
            Tool.Result result = Tool.PROMTOOL.run(tmp, "check", "config", checked.toString());
            assertThat(result.ok()).as(result.toString()).isTrue();
            assertThat(result.output()).as(result.toString()).contains("SUCCESS: 3 rule files found");
        }));
    }

    @Test
    @DisplayName("the promtool check fails a broken configuration (so its success means something)")
    void promtoolRejectsABrokenConfiguration() throws IOException {
        ObjectNode config = (ObjectNode) Monitoring.yaml(Monitoring.config("local").resolve("prometheus.yml"));
        ObjectNode relabel = (ObjectNode) job(config, "kubernetes-pods").path("relabel_configs").get(0);
        relabel.put("action", "keep-if-you-like");
        Tool.Result result = Tool.PROMTOOL.run(tmp, "check", "config", forPromtool("local", config).toString());
        assertThat(result.ok()).as(result.toString()).isFalse();
        assertThat(result.output()).contains("keep-if-you-like");
    }

    @TestFactory
    @DisplayName("Kubernetes discovery blocks use only roles and fields Prometheus knows")
    Stream<DynamicTest> kubernetesDiscoveryIsValid() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            JsonNode config = Monitoring.yaml(Monitoring.config(env).resolve("prometheus.yml"));
            int blocks = 0;
            for (JsonNode job : config.path("scrape_configs")) {
                for (JsonNode sd : job.path("kubernetes_sd_configs")) {
                    blocks++;
                    String at = env + " job " + job.path("job_name").asText();
                    assertThat(SD_ROLES).as(at + " role").contains(sd.path("role").asText());
                    assertThat(fieldNames(sd)).as(at + " fields").isSubsetOf("role", "namespaces");
                    assertThat(fieldNames(sd.path("namespaces"))).as(at + " namespaces").isSubsetOf("names");
                    assertThat(sd.path("role").asText()).as(at + ": the Endpoints API is deprecated, use EndpointSlices")
                            .isNotEqualTo("endpoints");
                }
            }
            assertThat(blocks).isGreaterThanOrEqualTo(8);
        }));
    }

    @TestFactory
    @DisplayName("scrapes the API server, kubelets, cAdvisor, node-exporter, kube-state-metrics, annotated pods and services, istiod")
    Stream<DynamicTest> scrapeJobs() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            JsonNode config = Monitoring.yaml(Monitoring.config(env).resolve("prometheus.yml"));
            List<String> jobs = new ArrayList<>();
            config.path("scrape_configs").forEach(j -> jobs.add(j.path("job_name").asText()));
            assertThat(jobs).containsExactly("prometheus", "alertmanager", "kubernetes-apiservers", "kubernetes-nodes",
                    "kubernetes-cadvisor", "node-exporter", "kube-state-metrics", "kubernetes-pods",
                    "kubernetes-service-endpoints", "istiod");
            assertThat(job(config, "kubernetes-cadvisor").path("metrics_path").asText()).isEqualTo("/metrics/cadvisor");
            assertThat(job(config, "kube-state-metrics").path("honor_labels").asBoolean()).isTrue();
            assertThat(config.path("global").path("scrape_interval").asText())
                    .isEqualTo(Monitoring.environment(env).getProperty("prometheus.scrape-interval"));
            assertThat(config.path("global").path("external_labels").path("environment").asText()).isEqualTo(env);
        }));
    }

    @TestFactory
    @DisplayName("the pods' app and version labels become the series' labels, so a canary can be told from stable")
    Stream<DynamicTest> appAndVersionReachTheSeries() {
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            JsonNode config = Monitoring.yaml(Monitoring.config(env).resolve("prometheus.yml"));
            for (String name : List.of("kubernetes-pods", "kubernetes-service-endpoints")) {
                List<String> copies = new ArrayList<>();
                for (JsonNode relabel : job(config, name).path("relabel_configs")) {
                    if (relabel.path("source_labels").size() == 1 && relabel.has("target_label")) {
                        copies.add(relabel.path("source_labels").get(0).asText() + "->" + relabel.path("target_label").asText());
                    }
                }
                assertThat(copies).as(name).contains("__meta_kubernetes_pod_label_app->app",
                        "__meta_kubernetes_pod_label_version->version", "__meta_kubernetes_namespace->namespace",
                        "__meta_kubernetes_pod_name->pod");
            }
        }));
    }

    @TestFactory
    @DisplayName("alerts go to the Alertmanager Service named in stack.properties")
    Stream<DynamicTest> alertmanagerTarget() {
        Properties shared = Monitoring.shared();
        String target = shared.getProperty("alertmanager.service") + "." + shared.getProperty("monitoring.namespace")
                + ".svc:" + shared.getProperty("alertmanager.port");
        return Monitoring.environments().stream().map(env -> dynamicTest(env, () -> {
            JsonNode config = Monitoring.yaml(Monitoring.config(env).resolve("prometheus.yml"));
            assertThat(config.path("alerting").path("alertmanagers").get(0).path("static_configs").get(0)
                    .path("targets").get(0).asText()).isEqualTo(target);
            assertThat(config.path("rule_files").get(0).asText()).isEqualTo("/etc/prometheus/*.rules.yml");
        }));
    }

    /**
     * The configuration as promtool 2.42 can read it: kubernetes_sd_configs -> file_sd_configs, the in-cluster service
     * account files and the rule files pointed at files that exist here.
     */
    private Path forPromtool(String env, ObjectNode config) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(env));
        Path targets = Files.writeString(dir.resolve("targets.json"), "[]");
        Path token = Files.writeString(dir.resolve("token"), "stand-in");
        Path ca = dir.resolve("ca.crt");
        Files.writeString(ca, "");
        ArrayNode rules = config.putArray("rule_files");
        rules.add(Monitoring.config(env).toAbsolutePath() + "/*.rules.yml");
        for (JsonNode job : config.path("scrape_configs")) {
            ObjectNode scrape = (ObjectNode) job;
            if (scrape.has("kubernetes_sd_configs")) {
                scrape.remove("kubernetes_sd_configs");
                scrape.putArray("file_sd_configs").addObject().putArray("files").add(targets.toString());
            }
            if (scrape.path("authorization").path("credentials_file").asText().equals(IN_CLUSTER + "token")) {
                ((ObjectNode) scrape.path("authorization")).put("credentials_file", token.toString());
            }
            if (scrape.path("tls_config").path("ca_file").asText().equals(IN_CLUSTER + "ca.crt")) {
                ((ObjectNode) scrape.path("tls_config")).put("ca_file", ca.toString());
            }
        }
        Path file = dir.resolve("prometheus.yml");
        YAML.writeValue(file.toFile(), config);
        return file;
    }

    static JsonNode job(JsonNode config, String name) {
        for (JsonNode job : config.path("scrape_configs")) {
            if (job.path("job_name").asText().equals(name)) {
                return job;
            }
        }
        throw new AssertionError("no scrape job " + name);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}
