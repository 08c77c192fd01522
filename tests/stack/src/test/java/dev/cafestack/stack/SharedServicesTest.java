package dev.cafestack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** environments/stack.properties holds the shared Services' names, namespaces and ports: one source for each. */
class SharedServicesTest {

    @Test
    @DisplayName("no environment file restates a key of stack.properties, so a shared name has one source")
    void environmentsDoNotRestateSharedKeys() {
        Properties shared = Stack.shared();
        assertThat(shared).isNotEmpty();
        for (String env : Stack.environments()) {
            assertThat(Stack.environment(env).stringPropertyNames())
                    .as("environments/%s.properties restates keys of environments/stack.properties", env)
                    .doesNotContainAnyElementsOf(shared.stringPropertyNames());
        }
    }

    @Test
    @DisplayName("every shared namespace and Service name is a DNS-1123 label and every port a TCP port")
    void sharedNamesAreValid() {
        Properties shared = Stack.shared();
        for (String key : shared.stringPropertyNames()) {
            String value = shared.getProperty(key);
            if (key.endsWith("port")) {
                assertThat(Integer.parseInt(value)).as(key).isBetween(1, 65535);
            } else {
                assertThat(value).as(key).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
            }
        }
    }
}
