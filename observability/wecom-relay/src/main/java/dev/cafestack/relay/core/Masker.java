package dev.cafestack.relay.core;

import java.util.List;
import java.util.regex.Pattern;

/** Takes robot keys out of text meant for logs: every known key, and any {@code key=...} query parameter. */
public final class Masker {

    private static final Pattern KEY_PARAM = Pattern.compile("(?i)(key=)[^&\\s\"']+");

    private final List<String> keys;

    public Masker(List<String> keys) {
        this.keys = keys.stream().filter(k -> !k.isEmpty()).toList();
    }

    public String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String key : keys) {
            masked = masked.replace(key, masked(key));
        }
        return KEY_PARAM.matcher(masked).replaceAll("$1****");
    }

    /** How a key shows in logs: its first four characters and stars. */
    public static String masked(String key) {
        return (key.length() > 8 ? key.substring(0, 4) : "") + "****";
    }
}
