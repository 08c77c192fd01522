package dev.cafestack.relay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Alertmanager webhook payloads (version "4") for the tests, built as Alertmanager builds them. */
final class Payloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    /** One alert: alertname, severity, namespace, instance (unique per test), summary. */
    static Map<String, Object> alert(String status, String alertname, String severity, String namespace, String instance,
            String summary, Instant startsAt) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("alertname", alertname);
        labels.put("severity", severity);
        labels.put("namespace", namespace);
        labels.put("instance", instance);
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("status", status);
        alert.put("labels", labels);
        alert.put("annotations", Map.of("summary", summary, "description", "详细说明 " + summary,
                "runbook_url", "https://runbooks.cafe.test/" + alertname));
        alert.put("startsAt", startsAt.toString());
        alert.put("endsAt", status.equals("resolved") ? startsAt.plusSeconds(300).toString() : "0001-01-01T00:00:00Z");
        alert.put("generatorURL", "http://prometheus.test/graph?g0.expr=up");
        alert.put("fingerprint", Integer.toHexString((alertname + instance).hashCode()));
        return alert;
    }

    @SafeVarargs
    static String notification(String status, String group, Map<String, Object>... alerts) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("version", "4");
        n.put("groupKey", "{}:{alertname=\"" + group + "\"}");
        n.put("truncatedAlerts", 0);
        n.put("status", status);
        n.put("receiver", "wecom");
        n.put("groupLabels", Map.of("alertname", group));
        n.put("commonLabels", Map.of("alertname", group));
        n.put("commonAnnotations", Map.of());
        n.put("externalURL", "http://alertmanager.test");
        n.put("alerts", new ArrayList<>(List.of(alerts)));
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
