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

    private static JsonNode yaml(String text) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(text);
    }
}
