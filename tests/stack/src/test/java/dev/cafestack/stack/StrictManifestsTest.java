package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/** The strict reader itself: it must fail on what fabric8's lenient reader would let through. */
class StrictManifestsTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              replicas: 2
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                  - name: demo
                    image: demo:1
                    ports:
                    - name: http
                      containerPort: 8080
            """;

    @Test
    @DisplayName("a valid resource is read into its typed model")
    void readsValid() throws IOException {
        assertThat(StrictManifests.strict("demo", yaml(DEPLOYMENT))).isInstanceOf(Deployment.class)
                .extracting(d -> ((Deployment) d).getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    @DisplayName("a misspelt field fails, naming it")
    void unknownFieldFails() {
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(DEPLOYMENT.replace("replicas:", "replica:"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("replica");
    }

    @Test
    @DisplayName("a value of the wrong type fails")
    void wrongTypeFails() {
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(DEPLOYMENT.replace("containerPort: 8080", "containerPort: http"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("containerPort");
    }

    @Test
    @DisplayName("an unknown kind or retired API version fails")
    void unknownKindFails() {
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(DEPLOYMENT.replace("apps/v1", "extensions/v1beta1"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("not a stable API");
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(DEPLOYMENT.replace("kind: Deployment", "kind: Deploymint"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no model");
    }

    private static final String VIRTUAL_SERVICE = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: demo
            spec:
              hosts: [demo]
              http:
              - match:
                - uri:
                    prefix: /api/
                route:
                - destination:
                    host: demo
                    subset: v1
                  weight: 100
            """;

    private static final String DESTINATION_RULE = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: demo
            spec:
              host: demo
              trafficPolicy:
                loadBalancer:
                  simple: ROUND_ROBIN
                outlierDetection:
                  consecutive5xxErrors: 5
              subsets:
              - name: v1
                labels: {version: v1}
            """;

    @Test
    @DisplayName("valid Istio v1 resources are read into the fabric8 Istio model")
    void readsIstio() throws IOException {
        assertThat(StrictManifests.strict("demo", yaml(VIRTUAL_SERVICE)))
                .isInstanceOf(io.fabric8.istio.api.networking.v1.VirtualService.class);
        assertThat(StrictManifests.strict("demo", yaml(DESTINATION_RULE)))
                .isInstanceOf(io.fabric8.istio.api.networking.v1.DestinationRule.class);
    }

    @Test
    @DisplayName("a misspelt key inside an Istio one-of (uri prefx) fails, though the model would silently drop it")
    void misspeltOneOfFails() {
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(VIRTUAL_SERVICE.replace("prefix:", "prefx:"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("prefx");
    }

    @Test
    @DisplayName("a misspelt Istio enum value (ROUND_ROBN) or a deprecated field name (consecutiveError) fails")
    void misspeltEnumFails() {
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(DESTINATION_RULE.replace("ROUND_ROBIN", "ROUND_ROBN"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("ROUND_ROBN");
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(DESTINATION_RULE.replace("consecutive5xxErrors", "consecutiveError"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("consecutiveError");
    }

    @Test
    @DisplayName("an Istio alpha or beta API version fails: only networking/security/telemetry v1")
    void istioBetaFails() {
        assertThatThrownBy(() -> StrictManifests.strict("demo", yaml(VIRTUAL_SERVICE.replace("networking.istio.io/v1", "networking.istio.io/v1beta1"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("not a stable API");
    }

    private static JsonNode yaml(String text) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(text);
    }
}
