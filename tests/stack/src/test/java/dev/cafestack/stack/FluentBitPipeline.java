package dev.cafestack.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * What Fluent Bit does to one container log line on a containerd node, as observability/efk configures it (read from
 * the rendered ConfigMap fluent-bit-config, never restated here):
 *
 * <ol>
 * <li>the CRI line: containerd writes each line a container prints as {@code <RFC3339Nano time> <stdout|stderr> <tag>
 * <log>}. The tag is {@code F} for a full line, or {@code P} for a partial one: a line longer than containerd's
 * buffer (16 KiB) is cut into several records, all {@code P} but the last ({@code F}), and the reader joins their logs
 * to get the line back (what the multiline parser {@code cri} of the tail input does). The fields come from the
 * {@code cri} parser's regex in parsers.yaml;</li>
 * <li>the kubernetes filter with {@code merge_log}: a JSON log becomes the record's top-level fields ({@code keep_log}
 * off drops the raw {@code log});</li>
 * <li>the nest filter lifts the map {@code nested_under} names (the services' {@code mdc}) to the top.</li>
 * </ol>
 */
final class FluentBitPipeline {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Pattern cri;
    private final boolean mergeLog;
    private final boolean keepLog;
    private final String nestedUnder;
    private final StringBuilder partial = new StringBuilder();

    private FluentBitPipeline(Pattern cri, boolean mergeLog, boolean keepLog, String nestedUnder) {
        this.cri = cri;
        this.mergeLog = mergeLog;
        this.keepLog = keepLog;
        this.nestedUnder = nestedUnder;
    }

    /** The pipeline of an environment's rendered Fluent Bit configuration. */
    static FluentBitPipeline of(String env) {
        Map<String, String> files = RenderedManifestsTest.one(env, ConfigMap.class, "fluent-bit-config").getData();
        try {
            JsonNode main = YAML.readTree(files.get("fluent-bit.yaml"));
            JsonNode parsers = YAML.readTree(files.get("parsers.yaml"));
            String regex = null;
            for (JsonNode p : parsers.path("parsers")) {
                if ("cri".equals(p.path("name").asText())) {
                    regex = p.path("regex").asText();
                }
            }
            JsonNode kubernetes = plugin(main.at("/pipeline/filters"), "kubernetes");
            JsonNode nest = plugin(main.at("/pipeline/filters"), "nest");
            return new FluentBitPipeline(Pattern.compile(regex), on(kubernetes.path("merge_log")), on(kubernetes.path("keep_log")),
                    "lift".equals(nest.path("operation").asText()) ? nest.path("nested_under").asText() : null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode plugin(JsonNode plugins, String name) {
        for (JsonNode p : plugins) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        throw new AssertionError("the Fluent Bit pipeline has no " + name + " filter");
    }

    private static boolean on(JsonNode value) {
        return Set.of("on", "true", "yes").contains(value.asText().toLowerCase(Locale.ROOT));
    }

    /** containerd's lines for one line a container printed: one F record, or P records and a last F when it is long. */
    static List<String> containerd(String time, String stream, String line, int maxChunk) {
        List<String> records = new ArrayList<>();
        for (int start = 0; start < line.length(); start += maxChunk) {
            int end = Math.min(line.length(), start + maxChunk);
            records.add(time + " " + stream + " " + (end < line.length() ? "P" : "F") + " " + line.substring(start, end));
        }
        return records;
    }

    /** Reads one CRI record; returns the finished record, or null while a line is still partial. */
    Map<String, Object> read(String criRecord) {
        Matcher m = cri.matcher(criRecord);
        if (!m.matches()) {
            throw new AssertionError("the cri parser does not match: " + criRecord);
        }
        partial.append(m.group("log"));
        if ("P".equals(m.group("logtag"))) {
            return null;
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("time", m.group("time"));
        record.put("stream", m.group("stream"));
        record.put("log", partial.toString());
        partial.setLength(0);
        return filter(record);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> filter(Map<String, Object> record) {
        String log = (String) record.get("log");
        if (mergeLog && log.startsWith("{")) {
            try {
                record.putAll(JSON.readValue(log, Map.class));
            } catch (IOException e) {
                return record; // not JSON after all: the line stays in log
            }
            if (!keepLog) {
                record.remove("log");
            }
        }
        if (nestedUnder != null && record.get(nestedUnder) instanceof Map<?, ?> nested) {
            record.remove(nestedUnder);
            record.putAll((Map<String, Object>) nested);
        }
        return record;
    }
}
