package dev.cafestack.tests.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The workloads a service's build rendered for one environment (target/cafe/ENV/kubernetes.yml, a List): its
 * Deployments, or the StatefulSet of a service that keeps state (the relay), as far as the image has to agree with
 * them: the image each container runs, its ports, the user it runs as; and the ConfigMaps beside them, which a
 * container may mount.
 */
public record RenderedDeployments(String env, List<JsonNode> deployments, List<JsonNode> configMaps) {

    public static RenderedDeployments of(Path moduleDir, String env) throws IOException {
        Path file = moduleDir.resolve("target/cafe").resolve(env).resolve("kubernetes.yml");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(file + " is missing: the image checks compare the image with the rendered "
                    + "Deployments, so they run after the render (process-resources).");
        }
        JsonNode list = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<JsonNode> deployments = new ArrayList<>();
        List<JsonNode> configMaps = new ArrayList<>();
        list.path("items").forEach(item -> {
            switch (item.path("kind").asText()) {
                case "Deployment", "StatefulSet" -> deployments.add(item);
                case "ConfigMap" -> configMaps.add(item);
                default -> { }
            }
        });
        if (deployments.isEmpty()) {
            throw new AssertionError(file + " renders no Deployment or StatefulSet");
        }
        return new RenderedDeployments(env, List.copyOf(deployments), List.copyOf(configMaps));
    }

    /** The workload whose pods are labelled {@code version: <track>} (there is one per track). */
    public JsonNode deployment(String track) {
        return deployments.stream()
                .filter(d -> track.equals(d.at("/spec/template/metadata/labels/version").asText()))
                .findFirst().orElseThrow(() -> new AssertionError(env + " has no Deployment or StatefulSet of track " + track));
    }

    public JsonNode configMap(String name) {
        return configMaps.stream().filter(c -> name.equals(c.at("/metadata/name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(env + " renders no ConfigMap " + name));
    }

    /** Every containerPort of every container, as an image config lists exposed ports ({@code 8080/tcp}). */
    public List<String> containerPorts() {
        List<String> ports = new ArrayList<>();
        containers().forEach(c -> c.path("ports").forEach(p -> ports.add(
                p.path("containerPort").asInt() + "/" + p.path("protocol").asText("TCP").toLowerCase())));
        return ports;
    }

    /** {@code runAsUser:runAsGroup} of each container (the container's securityContext over the pod's). */
    public List<String> runAs() {
        List<String> users = new ArrayList<>();
        deployments.forEach(d -> {
            JsonNode pod = d.at("/spec/template/spec/securityContext");
            d.at("/spec/template/spec/containers").forEach(c -> {
                JsonNode container = c.path("securityContext");
                users.add(first(container, pod, "runAsUser") + ":" + first(container, pod, "runAsGroup"));
            });
        });
        return users;
    }

    private List<JsonNode> containers() {
        List<JsonNode> containers = new ArrayList<>();
        deployments.forEach(d -> d.at("/spec/template/spec/containers").forEach(containers::add));
        return containers;
    }

    private static String first(JsonNode container, JsonNode pod, String field) {
        JsonNode value = container.has(field) ? container.get(field) : pod.get(field);
        return value == null ? "(unset)" : value.asText();
    }
}
