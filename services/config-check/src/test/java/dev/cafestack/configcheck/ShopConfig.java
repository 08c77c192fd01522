package dev.cafestack.configcheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.smallrye.config.ConfigMapping;

/** A service's configuration as the tests' stand-in: shop.yaml, a value, a duration and a list of groups. */
@ConfigMapping(prefix = "shop")
public interface ShopConfig {

    String currency();

    Duration deadline();

    List<Route> routes();

    interface Route {
        List<String> robots();
    }

    /** The stand-in service's rules: what types cannot say, each problem starting with its key. */
    static List<String> rules(ShopConfig config) {
        List<String> problems = new ArrayList<>();
        if (!config.currency().matches("[A-Z]{3}")) {
            problems.add("shop.currency: '" + config.currency() + "' is not a three-letter code such as EUR");
        }
        if (config.deadline().compareTo(Duration.ofSeconds(10)) > 0) {
            problems.add("shop.deadline: " + config.deadline() + " is above 10s");
        }
        for (int i = 0; i < config.routes().size(); i++) {
            for (String robot : config.routes().get(i).robots()) {
                if (!robot.matches("[a-z]+")) {
                    problems.add("shop.routes[" + i + "].robots: '" + robot + "' must be a lower-case name");
                }
            }
        }
        return problems;
    }
}
