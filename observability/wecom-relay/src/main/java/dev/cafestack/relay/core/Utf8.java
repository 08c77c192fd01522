package dev.cafestack.relay.core;

import java.nio.charset.StandardCharsets;

/** UTF-8 lengths and cuts that never split a character (WeCom counts message sizes in UTF-8 bytes). */
public final class Utf8 {

    private static final String ELLIPSIS = "…";

    private Utf8() {
    }

    public static int length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The longest prefix of whole characters of at most maxBytes, ending in "…" when something was cut. */
    public static String truncate(String text, int maxBytes) {
        if (length(text) <= maxBytes) {
            return text;
        }
        int budget = maxBytes - length(ELLIPSIS);
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + ELLIPSIS;
    }
}
