package dev.cafestack.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cafestack.tests.images.ServiceImageContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("wecom-relay's container image (built from a stand-in base image made by the test)")
class RelayImageIT extends ServiceImageContract {

    /**
     * The two Secrets the relay's StatefulSet mounts, made by an operator in a cluster: Alertmanager's bearer token,
     * and one key per robot of the local relay.yaml (stand-ins: nothing is delivered while the image is checked).
     */
    @Override
    protected Map<String, Map<String, String>> standInSecrets() {
        Path config = Path.of("src/main/config/local/relay.yaml");
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            JsonNode robots = new ObjectMapper(new YAMLFactory()).readTree(config.toFile()).at("/relay/robots");
            robots.forEach(robot -> keys.put(robot.asText(), "image-check-key-" + robot.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(config.toString(), e);
        }
        return Map.of("wecom-relay-token", Map.of("token", "image-check-token"), "wecom-relay-robots", keys);
    }
}
