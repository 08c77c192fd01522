package dev.cafestack.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Reads rendered manifests strictly with the fabric8 model: an unknown field fails (fabric8's own reader would keep
 * it in additionalProperties), and every value of the input must survive a round trip through the typed object
 * (so a value that a typed field silently drops fails too).
 */
final class StrictManifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization KINDS = new KubernetesSerialization();
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            });

    private StrictManifests() {
    }

    /** The items of a rendered kubernetes.yml (a List), each checked strictly; failures name file, item and field. */
    static List<HasMetadata> read(Path file) {
        JsonNode list = tree(file);
        if (!"List".equals(list.path("kind").asText())) {
            throw new AssertionError(file + ": expected a kind: List, got " + list.path("kind"));
        }
        List<HasMetadata> items = new ArrayList<>();
        int index = 0;
        for (JsonNode item : list.path("items")) {
            items.add(strict(file + " items[" + index++ + "]", item));
        }
        return items;
    }

    /** One resource, checked strictly. */
    static HasMetadata strict(String where, JsonNode item) {
        String apiVersion = item.path("apiVersion").asText();
        String kind = item.path("kind").asText();
        String name = item.path("metadata").path("name").asText();
        String at = where + " (" + kind + " " + name + ")";
        if (apiVersion.matches(".*/?v\\d+(alpha|beta)\\d+") || apiVersion.startsWith("extensions/")) {
            throw new AssertionError(at + ": apiVersion " + apiVersion
                    + " is not a stable API (alpha, beta and extensions/ versions are deprecated or removed)");
        }
        Class<? extends KubernetesResource> type = KINDS.getRegisteredKubernetesResource(apiVersion, kind);
        if (type == null || !HasMetadata.class.isAssignableFrom(type)) {
            throw new AssertionError(at + ": no model for apiVersion " + apiVersion + " kind " + kind);
        }
        HasMetadata typed;
        try {
            typed = (HasMetadata) STRICT.treeToValue(item, type);
        } catch (IOException e) {
            throw new AssertionError(at + ": " + e.getMessage(), e);
        }
        JsonNode back = STRICT.valueToTree(typed);
        List<String> lost = new ArrayList<>();
        compare("", item, back, lost);
        if (!lost.isEmpty()) {
            throw new AssertionError(at + ": values the model does not keep: " + lost);
        }
        return typed;
    }

    static JsonNode tree(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid YAML", e);
        }
    }

    private static void compare(String path, JsonNode in, JsonNode out, List<String> lost) {
        if (in.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = in.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                compare(path + "." + field.getKey(), field.getValue(), out == null ? null : out.get(field.getKey()), lost);
            }
        } else if (in.isArray()) {
            for (int i = 0; i < in.size(); i++) {
                compare(path + "[" + i + "]", in.get(i), out == null || !out.isArray() ? null : out.get(i), lost);
            }
        } else if (!in.isNull() && (out == null || !in.asText().equals(out.asText()))) {
            lost.add(path + "=" + in.asText() + (out == null ? " (dropped)" : " (became " + out.asText() + ")"));
        }
    }
}
