package dev.cafestack.relay.core;

import java.util.List;
import java.util.Map;

/** Alertmanager's webhook payload (version "4"), checked. */
public record Notification(String groupKey, String status, String receiver, Map<String, String> groupLabels,
        Map<String, String> commonLabels, Map<String, String> commonAnnotations, String externalURL,
        int truncatedAlerts, List<Alert> alerts) {
}
