package dev.cafestack.relay.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.cafestack.relay.config.RelayConfig;

/** Which robots an alert goes to: the first matching route (and later ones while a match says continue), else the defaults. */
public final class Router {

    private record Route(List<Matcher> matchers, List<String> robots, boolean continueMatching) {
    }

    private final List<Route> routes = new ArrayList<>();
    private final List<String> defaults;

    public Router(RelayConfig config) {
        for (RelayConfig.Route r : config.routes()) {
            routes.add(new Route(r.matchers().stream().map(Matcher::parse).toList(), List.copyOf(r.robots()), r.continueMatching()));
        }
        defaults = List.copyOf(config.defaultRobots());
    }

    public Set<String> robots(Map<String, String> labels) {
        Set<String> robots = new LinkedHashSet<>();
        for (Route route : routes) {
            if (route.matchers().stream().allMatch(m -> m.matches(labels))) {
                robots.addAll(route.robots());
                if (!route.continueMatching()) {
                    break;
                }
            }
        }
        if (robots.isEmpty()) {
            robots.addAll(defaults);
        }
        return robots;
    }
}
