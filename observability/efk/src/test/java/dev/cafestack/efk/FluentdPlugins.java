package dev.cafestack.efk;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The plugins each pinned Fluentd image ships, by role. Fluentd's own plugins (fluentd 1.19: lib/fluent/plugin/in_*.rb,
 * out_*.rb, filter_*.rb, buf_*.rb, formatter_*.rb, parser_*.rb) plus those of the gems in the image's Gemfile:
 * fluent/fluentd-kubernetes-daemonset, docker-image/v1.19/debian-elasticsearch9/Gemfile and
 * docker-image/v1.19/debian-s3/Gemfile (fluent-plugin-elasticsearch ~> 6.0 / fluent-plugin-s3 ~> 1.8, plus the common
 * set: prometheus, kubernetes_metadata_filter, concat, multi-format-parser, grok-parser, record-modifier,
 * detect-exceptions, rewrite-tag-filter, parser-cri, json-in-json-2, systemd; dedot_filter in the Elasticsearch image).
 */
final class FluentdPlugins {

    enum Role { SOURCE, OUTPUT, FILTER, BUFFER, FORMAT, PARSE }

    private static final Map<Role, Set<String>> CORE = Map.of(
            Role.SOURCE, Set.of("forward", "http", "tail", "tcp", "udp", "syslog", "exec", "sample", "dummy", "monitor_agent",
                    "unix", "object_space", "debug_agent"),
            Role.OUTPUT, Set.of("copy", "relabel", "null", "stdout", "forward", "file", "exec", "exec_filter",
                    "secondary_file", "roundrobin", "http"),
            Role.FILTER, Set.of("record_transformer", "grep", "parser", "stdout"),
            Role.BUFFER, Set.of("file", "file_single", "memory"),
            Role.FORMAT, Set.of("json", "ltsv", "csv", "msgpack", "hash", "single_value", "out_file", "stdout", "tsv"),
            Role.PARSE, Set.of("json", "regexp", "apache2", "apache", "apache_error", "nginx", "syslog", "csv", "tsv", "ltsv",
                    "none", "multiline", "msgpack"));

    /** Plugins of the gems every fluentd-kubernetes-daemonset v1.19 image has. */
    private static final Map<Role, Set<String>> COMMON = Map.of(
            Role.SOURCE, Set.of("prometheus", "prometheus_monitor", "prometheus_output_monitor", "prometheus_tail_monitor",
                    "systemd"),
            Role.OUTPUT, Set.of("prometheus", "record_modifier", "detect_exceptions", "rewrite_tag_filter"),
            Role.FILTER, Set.of("prometheus", "kubernetes_metadata", "concat", "record_modifier", "systemd_entry"),
            Role.PARSE, Set.of("multi_format", "grok", "multiline_grok", "cri", "json_in_json"));

    private static final Map<String, Map<Role, Set<String>>> VARIANT = Map.of(
            "elasticsearch9", Map.of(
                    Role.OUTPUT, Set.of("elasticsearch", "elasticsearch_data_stream", "elasticsearch_dynamic"),
                    Role.FILTER, Set.of("elasticsearch_genid", "dedot")),
            "s3", Map.of(
                    Role.OUTPUT, Set.of("s3"),
                    Role.SOURCE, Set.of("s3")));

    private FluentdPlugins() {
    }

    /** The variant of a fluent/fluentd-kubernetes-daemonset image reference, e.g. elasticsearch9 or s3. */
    static String variant(String image) {
        return VARIANT.keySet().stream().filter(v -> image.contains("-debian-" + v + "-")).findFirst()
                .orElseThrow(() -> new AssertionError("not a known fluentd-kubernetes-daemonset variant: " + image));
    }

    static Set<String> shipped(String image, Role role) {
        Set<String> all = new HashSet<>(CORE.getOrDefault(role, Set.of()));
        all.addAll(COMMON.getOrDefault(role, Set.of()));
        all.addAll(VARIANT.get(variant(image)).getOrDefault(role, Set.of()));
        return all;
    }
}
