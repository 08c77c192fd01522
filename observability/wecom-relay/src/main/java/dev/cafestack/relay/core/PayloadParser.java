package dev.cafestack.relay.core;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads and checks Alertmanager's webhook payload (version "4"); every fault names the field. */
public final class PayloadParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Alertmanager's "not ended" time. */
    private static final long ZERO_TIME = -62135596800000L;

    private PayloadParser() {
    }

    public static Notification parse(byte[] body) throws BadPayload {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonParseException e) {
            throw new BadPayload(400, "malformed JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new BadPayload(400, "malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadPayload(400, "the body must be a JSON object (Alertmanager's webhook payload)");
        }
        String version = text(root, "version");
        if (!"4".equals(version)) {
            throw new BadPayload(422, "version: '" + version + "' is not supported; Alertmanager's webhook payload is version \"4\"");
        }
        String status = status(root, "status");
        String receiver = text(root, "receiver");
        Map<String, String> groupLabels = labels(root, "groupLabels");
        Map<String, String> commonLabels = labels(root, "commonLabels");
        Map<String, String> commonAnnotations = labels(root, "commonAnnotations");
        String externalURL = text(root, "externalURL");
        String groupKey = root.has("groupKey") ? text(root, "groupKey") : receiver + ":" + groupLabels;
        int truncated = 0;
        if (root.has("truncatedAlerts")) {
            JsonNode t = root.get("truncatedAlerts");
            if (!t.isInt() || t.asInt() < 0) {
                throw new BadPayload(400, "truncatedAlerts: must be a non-negative integer");
            }
            truncated = t.asInt();
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new BadPayload(400, "alerts: missing or not an array");
        }
        if (alerts.isEmpty()) {
            throw new BadPayload(400, "alerts: empty; a notification carries at least one alert");
        }
        List<Alert> list = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            JsonNode a = alerts.get(i);
            String at = "alerts[" + i + "].";
            if (!a.isObject()) {
                throw new BadPayload(400, "alerts[" + i + "]: must be an object");
            }
            try {
                String fingerprint = text(a, "fingerprint");
                if (fingerprint.isBlank()) {
                    throw new BadPayload(400, "fingerprint: empty");
                }
                list.add(new Alert(status(a, "status"), labels(a, "labels"), labels(a, "annotations"), time(a, "startsAt"),
                        time(a, "endsAt"), text(a, "generatorURL"), fingerprint));
            } catch (BadPayload e) {
                throw new BadPayload(e.status(), at + e.getMessage());
            }
        }
        return new Notification(groupKey, status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL,
                truncated, list);
    }

    private static String text(JsonNode node, String field) throws BadPayload {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BadPayload(400, field + ": missing");
        }
        if (!value.isTextual()) {
            throw new BadPayload(400, field + ": must be a string, got " + value.getNodeType().name().toLowerCase());
        }
        return value.asText();
    }

    private static String status(JsonNode node, String field) throws BadPayload {
        String status = text(node, field);
        if (!status.equals("firing") && !status.equals("resolved")) {
            throw new BadPayload(400, field + ": '" + status + "' is neither firing nor resolved");
        }
        return status;
    }

    private static Map<String, String> labels(JsonNode node, String field) throws BadPayload {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BadPayload(400, field + ": missing");
        }
        if (!value.isObject()) {
            throw new BadPayload(400, field + ": must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (var it = value.fields(); it.hasNext();) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw new BadPayload(400, field + "." + e.getKey() + ": must be a string");
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }

    private static long time(JsonNode node, String field) throws BadPayload {
        String text = text(node, field);
        try {
            long millis = OffsetDateTime.parse(text).toInstant().toEpochMilli();
            return millis <= ZERO_TIME ? 0 : millis;
        } catch (DateTimeParseException e) {
            throw new BadPayload(400, field + ": '" + text + "' is not an RFC 3339 time");
        }
    }
}
