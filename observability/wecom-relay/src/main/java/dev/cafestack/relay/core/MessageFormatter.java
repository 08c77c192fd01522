package dev.cafestack.relay.core;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * WeCom markdown for alerts: one message per alert while the robot's budget allows, merged messages (one per
 * Alertmanager group, a compact line per alert) when more alerts wait than the budget. Every message is at most
 * {@link #MAX_BYTES} bytes of UTF-8, cut on a character boundary.
 */
public final class MessageFormatter {

    /** WeCom's markdown limit; over it the robot answers 40058. */
    public static final int MAX_BYTES = 4096;
    /** Labels shown on a message when present, in this order. */
    private static final List<String> KEY_LABELS = List.of("severity", "namespace", "service", "job", "instance", "pod", "team");
    private static final Set<String> HIDDEN = Set.of("alertname");
    private static final int MAX_LINE_BYTES = 240;

    /** A message and the queued alerts it carries. */
    public record Message(String content, List<Queued> items) {
    }

    private final DateTimeFormatter time;
    private final String grafanaUrl;
    private final Map<String, List<String>> mentions;

    public MessageFormatter(ZoneId zone, String grafanaUrl, Map<String, List<String>> mentions) {
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(zone);
        this.grafanaUrl = grafanaUrl;
        this.mentions = mentions;
    }

    /** One message per alert. A long description is cut first, so labels, times, links and mentions always fit. */
    public Message single(Queued q) {
        Alert a = q.alert();
        StringBuilder head = new StringBuilder();
        head.append(headline(a)).append(" **").append(escape(a.label("alertname"))).append("**\n");
        String summary = a.annotation("summary");
        if (!summary.isEmpty()) {
            head.append("> ").append(Utf8.truncate(escape(summary), 1024)).append('\n');
        }
        StringBuilder tail = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (String key : KEY_LABELS) {
            String value = a.label(key);
            if (!value.isEmpty()) {
                labels.append(labels.isEmpty() ? "" : ", ").append(key).append('=').append(escape(value));
            }
        }
        a.labels().forEach((key, value) -> {
            if (!KEY_LABELS.contains(key) && !HIDDEN.contains(key)) {
                labels.append(labels.isEmpty() ? "" : ", ").append(key).append('=').append(escape(value));
            }
        });
        if (!labels.isEmpty()) {
            tail.append("<font color=\"comment\">").append(Utf8.truncate(labels.toString(), 1024)).append("</font>\n");
        }
        tail.append("Started: ").append(time.format(Instant.ofEpochMilli(a.startsAt()))).append('\n');
        if (a.status().equals("resolved") && a.endsAt() > 0) {
            tail.append("Ended: ").append(time.format(Instant.ofEpochMilli(a.endsAt()))).append('\n');
        }
        tail.append(Utf8.truncate(links(a), 1024)).append('\n');
        tail.append(mentions(a));
        String description = escape(a.annotation("description"));
        int room = MAX_BYTES - Utf8.length(head.toString()) - Utf8.length(tail.toString()) - 1;
        String body = description.isEmpty() || room < 16 ? "" : Utf8.truncate(description, room) + "\n";
        return new Message(Utf8.truncate(head + body + tail, MAX_BYTES), List.of(q));
    }

    /**
     * The alerts as few messages as possible: grouped by Alertmanager group (groups in the order of their first alert,
     * alerts in queue order), one compact line per alert, split where a message would pass {@link #MAX_BYTES}.
     */
    public List<Message> merged(List<Queued> queue) {
        Map<String, List<Queued>> groups = new LinkedHashMap<>();
        for (Queued q : queue) {
            groups.computeIfAbsent(q.groupKey(), k -> new ArrayList<>()).add(q);
        }
        List<Message> messages = new ArrayList<>();
        for (List<Queued> group : groups.values()) {
            // Sized with the group's count; a part's own count has no more digits.
            String widest = header(group.size());
            StringBuilder lines = new StringBuilder();
            List<Queued> items = new ArrayList<>();
            Set<String> mentioned = new LinkedHashSet<>();
            for (Queued q : group) {
                String line = Utf8.truncate(line(q.alert()), MAX_LINE_BYTES) + "\n";
                Set<String> more = new LinkedHashSet<>(mentioned);
                more.addAll(mentionIds(q.alert()));
                if (!items.isEmpty() && Utf8.length(widest + lines + line + mentionText(more)) > MAX_BYTES) {
                    messages.add(new Message(header(items.size()) + lines + mentionText(mentioned), List.copyOf(items)));
                    lines.setLength(0);
                    items.clear();
                    more = new LinkedHashSet<>(mentionIds(q.alert()));
                }
                lines.append(line);
                items.add(q);
                mentioned = more;
            }
            messages.add(new Message(header(items.size()) + lines + mentionText(mentioned), List.copyOf(items)));
        }
        return messages;
    }

    private static String header(int alerts) {
        return "**" + alerts + " alerts** (merged: the robot's rate limit is reached)\n";
    }

    private String line(Alert a) {
        StringBuilder line = new StringBuilder(icon(a)).append(" **").append(escape(a.label("alertname"))).append("**");
        for (String key : List.of("severity", "instance", "pod")) {
            if (!a.label(key).isEmpty()) {
                line.append(' ').append(escape(a.label(key)));
            }
        }
        String summary = a.annotation("summary");
        if (!summary.isEmpty()) {
            line.append(": ").append(escape(summary));
        }
        line.append(" (").append(time.format(Instant.ofEpochMilli(a.status().equals("resolved") && a.endsAt() > 0
                ? a.endsAt() : a.startsAt()))).append(')');
        return line.toString();
    }

    private static String icon(Alert a) {
        if (a.status().equals("resolved")) {
            return "✅";
        }
        return switch (a.label("severity")) {
            case "critical" -> "🚨";
            case "warning" -> "⚠️";
            default -> "ℹ️";
        };
    }

    private static String headline(Alert a) {
        if (a.status().equals("resolved")) {
            return "<font color=\"info\">✅ RESOLVED</font>";
        }
        String colour = switch (a.label("severity")) {
            case "critical", "warning" -> "warning";
            default -> "comment";
        };
        return "<font color=\"" + colour + "\">" + icon(a) + " FIRING</font>";
    }

    private String links(Alert a) {
        List<String> links = new ArrayList<>();
        if (!a.generatorURL().isEmpty()) {
            links.add("[Source](" + a.generatorURL() + ")");
        }
        String dashboard = a.annotation("dashboard_url");
        if (!dashboard.isEmpty()) {
            links.add("[Grafana](" + dashboard + ")");
        } else if (!grafanaUrl.isEmpty()) {
            links.add("[Grafana](" + grafanaUrl + ")");
        }
        String runbook = a.annotation("runbook_url");
        if (!runbook.isEmpty()) {
            links.add("[Runbook](" + runbook + ")");
        }
        return String.join(" · ", links);
    }

    private List<String> mentionIds(Alert a) {
        if (a.status().equals("resolved")) {
            return List.of();
        }
        return mentions.getOrDefault(a.label("severity"), List.of());
    }

    private String mentions(Alert a) {
        return mentionText(mentionIds(a));
    }

    private static String mentionText(java.util.Collection<String> ids) {
        StringBuilder text = new StringBuilder();
        for (String id : ids) {
            text.append(text.isEmpty() ? "" : " ").append("<@").append(id.startsWith("@") ? id.substring(1) : id).append('>');
        }
        return text.toString();
    }

    /** Markdown that label values cannot break: no headings or links made from alert text. */
    private static String escape(String text) {
        return text.replace("\r", "").replace("[", "［").replace("]", "］").replace("<", "‹").replace(">", "›");
    }
}
