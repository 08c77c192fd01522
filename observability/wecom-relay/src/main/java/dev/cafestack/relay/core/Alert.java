package dev.cafestack.relay.core;

import java.util.Map;

/** One alert of an Alertmanager notification, as the relay keeps it. Times are epoch milliseconds; endsAt 0 = not ended. */
public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, long startsAt,
        long endsAt, String generatorURL, String fingerprint) {

    public String label(String name) {
        return labels.getOrDefault(name, "");
    }

    public String annotation(String name) {
        return annotations.getOrDefault(name, "");
    }
}
