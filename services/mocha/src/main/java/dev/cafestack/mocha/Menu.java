package dev.cafestack.mocha;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.cafestack.mocha.config.ConfigRules;
import dev.cafestack.mocha.config.MochaConfig;
import dev.cafestack.mocha.config.Price;
import io.quarkus.runtime.Startup;

/** The menu from mocha.yaml, and the order checks against it. Built once at startup. */
@ApplicationScoped
@Startup
public class Menu {

    private final String currency;
    private final Map<String, Map<String, Price>> drinks;
    private final int maxNotesLength;
    private final String drinkNames;

    Menu(MochaConfig config, @ConfigProperty(name = "quarkus.config.locations") String file) {
        List<String> problems = ConfigRules.problems(config);
        if (!problems.isEmpty()) {
            // The same rules and messages as the build-time check (ConfigCheck), prefixed with the file.
            throw new IllegalStateException("mocha config is invalid:\n  " + file + ": "
                    + String.join("\n  " + file + ": ", problems));
        }
        this.currency = config.menu().currency();
        // Drinks in name order, each drink's sizes cheapest first: a stable menu for people and caches.
        Map<String, Map<String, Price>> copy = new LinkedHashMap<>();
        new TreeMap<>(config.menu().drinks()).forEach((drink, sizes) -> {
            Map<String, Price> bySize = new LinkedHashMap<>();
            sizes.entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(size -> bySize.put(size.getKey(), size.getValue()));
            copy.put(drink, Collections.unmodifiableMap(bySize));
        });
        this.drinks = Collections.unmodifiableMap(copy);
        this.maxNotesLength = config.orders().maxNotesLength();
        this.drinkNames = String.join(", ", copy.keySet());
    }

    public String currency() {
        return currency;
    }

    public Map<String, Map<String, Price>> drinks() {
        return drinks;
    }

    /** The price of a checked order. */
    public Price price(OrderRequest order) {
        return drinks.get(order.drink()).get(order.size());
    }

    /** What is wrong with an order, field by field; empty when it can be brewed. */
    public List<ApiError.Violation> check(OrderRequest order) {
        List<ApiError.Violation> violations = new ArrayList<>(1);
        if (order == null) {
            violations.add(new ApiError.Violation("body", "a JSON object with drink and size is required"));
            return violations;
        }
        Map<String, Price> sizes = null;
        if (order.drink() == null || order.drink().isBlank()) {
            violations.add(new ApiError.Violation("drink", "is required; choose one of: " + drinkNames));
        } else if ((sizes = drinks.get(order.drink())) == null) {
            violations.add(new ApiError.Violation("drink",
                    "'" + order.drink() + "' is not on the menu; choose one of: " + drinkNames));
        }
        if (order.size() == null || order.size().isBlank()) {
            violations.add(new ApiError.Violation("size", "is required"
                    + (sizes != null ? "; " + order.drink() + " comes in: " + String.join(", ", sizes.keySet()) : "")));
        } else if (sizes != null && !sizes.containsKey(order.size())) {
            violations.add(new ApiError.Violation("size", "'" + order.size() + "' is not served for " + order.drink()
                    + "; choose one of: " + String.join(", ", sizes.keySet())));
        }
        if (order.notes() != null && order.notes().length() > maxNotesLength) {
            violations.add(new ApiError.Violation("notes", "is " + order.notes().length()
                    + " characters; at most " + maxNotesLength + " are accepted"));
        }
        return violations;
    }
}
