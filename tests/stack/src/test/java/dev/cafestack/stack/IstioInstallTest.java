package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.istio.api.telemetry.v1.Telemetry;
import io.fabric8.kubernetes.api.model.Service;

/**
 * The Istio install configuration mesh/istio renders for istioctl (target/istio/&lt;env&gt;/istio-operator.yml), and the
 * wrapper the istio-* Maven goals run (src/main/build/Istioctl.java): dry run, missing tool, no environment.
 */
class IstioInstallTest {

    private static final Path MESH = Stack.ROOT.resolve("mesh/istio");
    private static final Path WRAPPER = MESH.resolve("src/main/build/Istioctl.java");

    @TempDir
    Path empty;

    private static Path installFile(String env) {
        return MESH.resolve("target/istio").resolve(env).resolve("istio-operator.yml");
    }

    @TestFactory
    @DisplayName("each environment's Istio install pins the version, names the ingress gateway the Gateway selects, and defines the tracing provider the Telemetry uses, sending to the rendered Jaeger collector")
    Stream<DynamicTest> installFitsTheMeshRules() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            Properties values = Stack.environment(env);
            JsonNode operator = StrictManifests.tree(installFile(env));
            assertThat(operator.path("apiVersion").asText()).isEqualTo("install.istio.io/v1alpha1");
            assertThat(operator.path("kind").asText()).isEqualTo("IstioOperator");
            JsonNode spec = operator.path("spec");
            assertThat(spec.path("tag").asText()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(spec.path("meshConfig").path("accessLogFile").asText()).isEqualTo("/dev/stdout");

            String provider = RenderedManifestsTest.one(env, Telemetry.class, "default").getSpec().getTracing().get(0)
                    .getProviders().get(0).getName();
            List<JsonNode> providers = new ArrayList<>();
            spec.path("meshConfig").path("extensionProviders").forEach(providers::add);
            assertThat(providers).extracting(p -> p.path("name").asText()).containsExactly(provider);
            // The provider sends OTLP/gRPC to the Jaeger collector Service that observability/tracing renders.
            JsonNode otel = providers.get(0).path("opentelemetry");
            Service collector = TracingWiringTest.collector(env);
            assertThat(otel.path("service").asText()).isEqualTo(TracingWiringTest.dnsName(collector));
            assertThat(collector.getSpec().getPorts()).as("the collector Service's OTLP/gRPC port")
                    .anySatisfy(p -> {
                        assertThat(p.getPort()).isEqualTo(otel.path("port").asInt());
                        assertThat(p.getAppProtocol()).isEqualTo("grpc");
                    });

            JsonNode gateways = spec.path("components").path("ingressGateways");
            assertThat(gateways).hasSize(1);
            JsonNode gateway = gateways.get(0);
            assertThat(gateway.path("enabled").asBoolean()).isTrue();
            assertThat(new ObjectMapper().convertValue(gateway.path("label"), Map.class))
                    .containsEntry("istio", "ingressgateway");
            assertThat(gateway.path("k8s").path("service").path("type").asText())
                    .isEqualTo(values.getProperty("istio.gateway.service-type"));
            assertThat(gateway.path("k8s").path("resources").path("requests").path("cpu").asText())
                    .isEqualTo(values.getProperty("istio.gateway.cpu"));
            assertThat(gateway.path("k8s").path("resources").path("requests").path("memory").asText())
                    .isEqualTo(values.getProperty("istio.gateway.memory"));
            assertThat(Files.readString(installFile(env))).doesNotContain("${").doesNotContainPattern("@[a-z.]+@");
        }));
    }

    record Run(int exitCode, String output) {
    }

    private Run wrapper(String path, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                WRAPPER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", path);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    @DisplayName("a dry run prints the exact istioctl command for the environment's rendered file and runs nothing")
    void dryRunPrintsTheCommand() throws Exception {
        Path file = installFile("dev");
        Run run = wrapper(empty.toString(), "install", "dev", file.toString(), "target/cafe/dev/kubernetes.yml", "true");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output().trim()).isEqualTo("[istio] dry run, would run: istioctl install -y -f " + file);
        Run verify = wrapper(empty.toString(), "verify-install", "dev", file.toString(), "target/cafe/dev/kubernetes.yml", "true");
        assertThat(verify.output()).contains("istioctl verify-install -f " + file);
    }

    @Test
    @DisplayName("without istioctl on the PATH the goal fails saying so, and how to dry-run instead")
    void missingToolIsNamed() throws Exception {
        Run run = wrapper(empty.toString(), "install", "prod", installFile("prod").toString(), "target/cafe/prod/kubernetes.yml", "false");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("istioctl is not on the PATH").contains("-Distio.dry-run=true");
    }

    @Test
    @DisplayName("without an explicit environment, or before it was built, the goal refuses before running anything")
    void needsABuiltEnvironment() throws Exception {
        Run none = wrapper(empty.toString(), "install", "local", installFile("local").toString(),
                "target/NO-ENVIRONMENT-SELECTED: deploy with one of -P local/kubernetes.yml", "true");
        assertThat(none.exitCode()).isNotZero();
        assertThat(none.output()).contains("NO ENVIRONMENT SELECTED").doesNotContain("would run");
        Run unbuilt = wrapper(empty.toString(), "uninstall", "qa", empty.resolve("istio-operator.yml").toString(),
                "target/cafe/qa/kubernetes.yml", "true");
        assertThat(unbuilt.exitCode()).isNotZero();
        assertThat(unbuilt.output()).contains("NOT BUILT").contains("./mvnw package -P qa");
    }
}
