package dev.cafestack.ci;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arguments every ci goal gets from its exec:java execution: the repository root, the environment, and
 * {@code --name=value} options.
 */
record Cli(Path root, String env, Map<String, String> options) {

    /** The JKube access class the root pom's deploy guard holds once an environment profile is active and built. */
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    static Cli parse(String usage, String... args) {
        if (args.length < 2 || args[0].startsWith("--") || args[1].startsWith("--")) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("'" + arg + "' is not --name=value; usage: " + usage);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return new Cli(Path.of(args[0]), args[1], options);
    }

    String option(String name, String fallback) {
        String value = options.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(option(name, "false"));
    }

    Duration duration(String name, Duration fallback) {
        return parseDuration(option(name, null), fallback);
    }

    /**
     * The deploy guard of the root pom ({@code cafe.deploy.guard}): a class name once {@code -P <env>} selected a built
     * environment; otherwise the message that says what to run. Null when the goal may go on.
     */
    String guardRefusal() {
        String guard = options.get("guard");
        if (guard == null || CLASS_NAME.matcher(guard).matches()) {
            return null;
        }
        return guard;
    }

    static Duration parseDuration(String text, Duration fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 90s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
