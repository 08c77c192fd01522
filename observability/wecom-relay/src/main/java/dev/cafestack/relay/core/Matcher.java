package dev.cafestack.relay.core;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** One Alertmanager label matcher: {@code name="value"}, {@code !=}, {@code =~} or {@code !~} (anchored regex). */
public record Matcher(String label, String op, String value, Pattern regex) {

    private static final Pattern SYNTAX = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^\"\\s]*)\\s*");

    public static Matcher parse(String text) {
        java.util.regex.Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a label matcher such as severity=\"critical\" or team=~\"cafe|ops\"");
        }
        String value = m.group(3);
        if (value.startsWith("\"")) {
            value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        Pattern regex = null;
        if (m.group(2).contains("~")) {
            try {
                regex = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "': bad regular expression: " + e.getDescription());
            }
        }
        return new Matcher(m.group(1), m.group(2), value, regex);
    }

    /** A missing label is the empty string, as in Alertmanager. */
    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(label, "");
        return switch (op) {
            case "=" -> actual.equals(value);
            case "!=" -> !actual.equals(value);
            case "=~" -> regex.matcher(actual).matches();
            default -> !regex.matcher(actual).matches();
        };
    }
}
