package dev.cafestack.mocha.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules of a mocha.yaml that its types cannot express. Each problem names the key and the fix. */
public final class ConfigRules {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private ConfigRules() {
    }

    public static List<String> problems(MochaConfig config) {
        List<String> problems = new ArrayList<>();
        String currency = config.menu().currency();
        if (!CURRENCY.matcher(currency).matches()) {
            problems.add("mocha.menu.currency: '" + currency + "' is not a three-letter ISO 4217 code such as EUR");
        }
        Map<String, Map<String, Price>> drinks = config.menu().drinks();
        if (drinks.isEmpty()) {
            problems.add("mocha.menu.drinks: the menu is empty; list at least one drink with its sizes and prices");
        }
        drinks.forEach((drink, sizes) -> {
            String key = "mocha.menu.drinks." + drink;
            if (!NAME.matcher(drink).matches()) {
                problems.add(key + ": drink names are lower-case words joined by '-', e.g. flat-white");
            }
            if (sizes.isEmpty()) {
                problems.add(key + ": no sizes; give each size a price, e.g. small: 3.20");
            }
            sizes.forEach((size, price) -> {
                if (!NAME.matcher(size).matches()) {
                    problems.add(key + "." + size + ": size names are lower-case words, e.g. small");
                }
                if (price.signum() <= 0 || price.scale() > 2) {
                    problems.add(key + "." + size + ": price " + price.toPlainString()
                            + " must be positive with at most two decimals");
                }
            });
        });
        int maxNotes = config.orders().maxNotesLength();
        if (maxNotes < 0 || maxNotes > 1000) {
            problems.add("mocha.orders.max-notes-length: " + maxNotes + " is outside 0..1000");
        }
        Duration deadline = config.latte().deadline();
        if (deadline.compareTo(Duration.ofMillis(10)) < 0 || deadline.compareTo(Duration.ofSeconds(10)) > 0) {
            problems.add("mocha.latte.deadline: " + deadline + " is outside 10ms..10s");
        }
        return problems;
    }
}
