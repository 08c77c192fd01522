package dev.cafestack.stack;

import static dev.cafestack.stack.RenderedManifestsTest.all;
import static dev.cafestack.stack.RenderedManifestsTest.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;

/**
 * Kiali's external services, as mesh/kiali renders its config.yaml for each environment, reach Services that the stack
 * itself renders for that environment: each URL is resolved like cluster DNS would (ServiceUrls) against every Service
 * every module rendered. No name, namespace or port is written here: a renamed Service or a moved port in either module
 * fails this test.
 */
@DisplayName("Kiali wiring")
class KialiWiringTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The URLs of config.yaml that must reach a Service of the stack: JSON pointers into the file. */
    private static final List<String> URLS = List.of(
            "/external_services/prometheus/url",
            "/external_services/tracing/internal_url",
            "/external_services/grafana/internal_url");

    @TestFactory
    @DisplayName("each external-service URL of Kiali's config.yaml resolves to a Service, namespace and port the stack renders")
    Stream<DynamicTest> urlsReachRenderedServices() {
        return Stack.environments().stream().flatMap(env -> URLS.stream().map(pointer -> dynamicTest(env + ": " + pointer, () -> {
            ConfigMap map = one(env, ConfigMap.class, "kiali");
            JsonNode config = YAML.readTree(map.getData().get("config.yaml"));
            String url = config.at(pointer).asText();
            assertThat(url).as(env + " Kiali " + pointer).isNotBlank();
            List<Service> services = all(env, Service.class);
            ServiceUrls.resolve(url, map.getMetadata().getNamespace(), services);
        })));
    }

    @TestFactory
    @DisplayName("tracing is read over gRPC exactly when its URL reaches a gRPC port of the Service (named *grpc* or appProtocol grpc)")
    Stream<DynamicTest> tracingProtocolMatchesThePort() {
        return Stack.environments().stream().map(env -> dynamicTest(env, () -> {
            ConfigMap map = one(env, ConfigMap.class, "kiali");
            JsonNode tracing = YAML.readTree(map.getData().get("config.yaml")).path("external_services").path("tracing");
            var port = ServiceUrls.resolve(tracing.path("internal_url").asText(), map.getMetadata().getNamespace(),
                    all(env, Service.class));
            boolean grpcPort = (port.getName() != null && port.getName().contains("grpc")) || "grpc".equals(port.getAppProtocol());
            assertThat(tracing.path("use_grpc").asBoolean()).as(env + ": use_grpc vs port " + port.getName()).isEqualTo(grpcPort);
        }));
    }
}
