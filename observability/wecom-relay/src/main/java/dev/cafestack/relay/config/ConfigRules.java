package dev.cafestack.relay.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.cafestack.relay.core.Matcher;

/** The rules of a relay.yaml that its types cannot express. Each problem names the key and the fix. */
public final class ConfigRules {

    private static final Pattern ROBOT = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern USER = Pattern.compile("@all|[A-Za-z0-9._-]{1,64}");

    private ConfigRules() {
    }

    public static List<String> problems(RelayConfig config) {
        List<String> problems = new ArrayList<>();
        try {
            ZoneId.of(config.timeZone());
        } catch (DateTimeException e) {
            problems.add("relay.time-zone: '" + config.timeZone() + "' is not a time zone id such as Asia/Shanghai");
        }
        String grafana = config.grafanaUrl().orElse("");
        if (!grafana.isEmpty() && !grafana.matches("https?://\\S+")) {
            problems.add("relay.grafana-url: '" + grafana + "' is not an http(s) URL");
        }
        Set<String> robots = new HashSet<>();
        if (config.robots().isEmpty()) {
            problems.add("relay.robots: no robot; name at least one (its key goes into the Secret under that name)");
        }
        for (String robot : config.robots()) {
            if (!ROBOT.matcher(robot).matches()) {
                problems.add("relay.robots: '" + robot + "' must be a lower-case name such as ops (a Secret key name)");
            }
            if (!robots.add(robot)) {
                problems.add("relay.robots: '" + robot + "' is listed twice");
            }
        }
        for (int i = 0; i < config.routes().size(); i++) {
            RelayConfig.Route route = config.routes().get(i);
            String key = "relay.routes[" + i + "]";
            if (route.matchers().isEmpty()) {
                problems.add(key + ".matchers: a route without matchers matches everything; use default-robots instead");
            }
            for (String matcher : route.matchers()) {
                try {
                    Matcher.parse(matcher);
                } catch (IllegalArgumentException e) {
                    problems.add(key + ".matchers: " + e.getMessage());
                }
            }
            unknownRobots(key + ".robots", route.robots(), robots, problems);
            if (route.robots().isEmpty()) {
                problems.add(key + ".robots: names no robot");
            }
        }
        if (config.defaultRobots().isEmpty()) {
            problems.add("relay.default-robots: an alert no route matches would reach nobody; name at least one robot");
        }
        unknownRobots("relay.default-robots", config.defaultRobots(), robots, problems);
        config.mentions().forEach((severity, users) -> users.forEach(user -> {
            if (!USER.matcher(user).matches()) {
                problems.add("relay.mentions." + severity + ": '" + user + "' is not a WeCom user id or @all");
            }
        }));
        int perMinute = config.rate().perMinute();
        if (perMinute < 1 || perMinute > 20) {
            problems.add("relay.rate.per-minute: " + perMinute + " is outside 1..20 (WeCom allows 20 per robot and minute)");
        }
        Duration initial = config.retry().initial();
        Duration max = config.retry().max();
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || max.compareTo(Duration.ofHours(1)) > 0) {
            problems.add("relay.retry: initial " + initial + " and max " + max + " must satisfy 0 < initial <= max <= 1h");
        }
        if (config.dedupRetention().compareTo(Duration.ofHours(1)) < 0) {
            problems.add("relay.dedup-retention: " + config.dedupRetention()
                    + " is shorter than 1h: Alertmanager's repeats would be sent again");
        }
        if (config.maxBodyBytes() < 1024) {
            problems.add("relay.max-body-bytes: " + config.maxBodyBytes() + " is below 1024");
        }
        return problems;
    }

    private static void unknownRobots(String key, List<String> named, Set<String> robots, List<String> problems) {
        for (String robot : named) {
            if (!robots.contains(robot)) {
                problems.add(key + ": '" + robot + "' is not one of relay.robots " + robots);
            }
        }
    }
}
