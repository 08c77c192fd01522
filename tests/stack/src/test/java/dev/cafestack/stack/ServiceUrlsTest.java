package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** The URL-to-Service resolution KialiWiringTest relies on, against fixture Services. */
@DisplayName("Resolving an in-cluster URL to a Service")
class ServiceUrlsTest {

    private static Service service(String namespace, String name, String portName, int port) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().addNewPort().withName(portName).withPort(port).endPort().endSpec().build();
    }

    private static final List<Service> FIXTURES = List.of(
            service("monitoring", "prometheus", "http", 9090),
            service("monitoring", "grafana", "http", 3000),
            service("tracing", "jaeger-query", "grpc-query", 16685),
            service("istio-system", "kiali", "http", 80));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://prometheus.monitoring:9090", "http://prometheus.monitoring.svc:9090",
            "http://prometheus.monitoring.svc.cluster.local:9090/api/v1", "https://prometheus.monitoring:9090"})
    @DisplayName("name.namespace, with or without .svc[.cluster.local] and a path, reaches the Service on its port")
    void resolvesDnsForms(String url) {
        assertThat(ServiceUrls.resolve(url, "istio-system", FIXTURES).getName()).isEqualTo("http");
    }

    @Test
    @DisplayName("a bare name resolves in the caller's namespace, and a URL without a port takes its scheme's")
    void bareNameAndDefaultPort() {
        assertThat(ServiceUrls.target("http://kiali", "istio-system"))
                .isEqualTo(new ServiceUrls.Target("kiali", "istio-system", 80));
        assertThat(ServiceUrls.resolve("http://kiali", "istio-system", FIXTURES).getPort()).isEqualTo(80);
        assertThatThrownBy(() -> ServiceUrls.resolve("http://kiali", "monitoring", FIXTURES))
                .hasMessageContaining("Service monitoring/kiali port 80: no such Service");
    }

    @Test
    @DisplayName("a gRPC port is found by number like any other")
    void grpcPort() {
        assertThat(ServiceUrls.resolve("http://jaeger-query.tracing:16685", "istio-system", FIXTURES).getName()).isEqualTo("grpc-query");
    }

    @Test
    @DisplayName("a Service in another namespace does not count: the namespace is part of the name")
    void wrongNamespace() {
        assertThatThrownBy(() -> ServiceUrls.resolve("http://prometheus.tracing:9090", "istio-system", FIXTURES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("http://prometheus.tracing:9090 -> Service tracing/prometheus port 9090: no such Service is rendered")
                .hasMessageContaining("monitoring/prometheus");
    }

    @Test
    @DisplayName("a port the Service does not have fails, listing the ports it has")
    void wrongPort() {
        assertThatThrownBy(() -> ServiceUrls.resolve("http://grafana.monitoring:3001", "istio-system", FIXTURES))
                .hasMessageContaining("the Service has no such port (ports: http=3000)");
    }

    @Test
    @DisplayName("a name nobody renders fails")
    void unknownService() {
        assertThatThrownBy(() -> ServiceUrls.resolve("http://jaeger.tracing:16686", "istio-system", FIXTURES))
                .hasMessageContaining("Service tracing/jaeger port 16686: no such Service is rendered");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://prometheus.example.com:9090", "http://prometheus.monitoring.svc.example:9090"})
    @DisplayName("a host outside the cluster's Service names is refused")
    void externalHost(String url) {
        assertThatThrownBy(() -> ServiceUrls.target(url, "istio-system")).hasMessageContaining("is not a cluster Service name");
    }

    @Test
    @DisplayName("a URL without scheme, or with a scheme without default port and no port, is refused")
    void malformed() {
        assertThatThrownBy(() -> ServiceUrls.target("prometheus.monitoring:9090", "x")).hasMessageContaining("has no scheme://host");
        assertThatThrownBy(() -> ServiceUrls.target("grpc://jaeger-query.tracing", "x")).hasMessageContaining("has no default port");
    }
}
