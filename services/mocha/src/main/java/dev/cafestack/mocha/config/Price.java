package dev.cafestack.mocha.config;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * A menu price as mocha.yaml writes it, e.g. {@code 3.20}: a decimal number, exact, kept with the decimals it was
 * written with, and served in JSON as that number ({@code 3.20}).
 *
 * <p>A decimal of at most 9 digits before and 9 after the point is all a menu needs, so mocha holds it as a
 * {@code long} of billionths rather than a {@link java.math.BigDecimal}: on Java 25, {@code BigDecimal}'s class
 * initialisation computes a table of powers of five up to 5^65536, 40-90 ms of interpreted work on the main thread
 * when the menu was mapped at startup (docs/sizing-log.md, "What changed").
 *
 * <p>SmallRye Config converts a value with {@link Converter} (registered in {@code META-INF/services}, for Quarkus and
 * the build's check alike); a value that is not such a number fails the mapping with the key, the value and the fix.
 * Whether a price is valid for the menu (positive, at most two decimals) is {@link ConfigRules}' to say, so that it can
 * name the key and the fix.
 */
@JsonSerialize(using = Price.Json.class)
public final class Price implements Comparable<Price> {

    private static final int MAX_DIGITS = 9;
    private static final long[] POWERS = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L};

    private final long billionths;
    private final int scale;
    /** Made once: every order's answer writes its price. */
    private final String plain;

    private Price(long billionths, int scale) {
        this.billionths = billionths;
        this.scale = scale;
        this.plain = plain(billionths, scale);
    }

    /**
     * Reads a price written as {@link java.math.BigDecimal} reads a plain decimal: an optional sign, digits, and
     * optionally a point and more digits ({@code 3}, {@code 3.2}, {@code .50}, {@code 3.}, {@code -1}, {@code 007},
     * {@code 2.105}), with at most 9 digits before the point (leading zeros aside) and 9 after it. No exponent.
     *
     * @throws IllegalArgumentException naming the value and what a price looks like
     */
    public static Price valueOf(String text) {
        String value = text == null ? "" : text.trim();
        int start = value.startsWith("-") || value.startsWith("+") ? 1 : 0;
        int point = value.indexOf('.');
        int integerEnd = point < 0 ? value.length() : point;
        int scale = point < 0 ? 0 : value.length() - point - 1;
        if (integerEnd - start + scale < 1 || point != value.lastIndexOf('.')) {
            throw notAPrice(text);
        }
        for (int i = start; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && i != point) {
                throw notAPrice(text);
            }
        }
        int firstSignificant = start;
        while (firstSignificant < integerEnd - 1 && value.charAt(firstSignificant) == '0') {
            firstSignificant++;
        }
        if (integerEnd - firstSignificant > MAX_DIGITS || scale > MAX_DIGITS) {
            throw new IllegalArgumentException("'" + text + "' is not a price mocha can hold: at most " + MAX_DIGITS
                    + " digits before the point and " + MAX_DIGITS + " after it");
        }
        long units = 0;
        for (int i = firstSignificant; i < integerEnd; i++) {
            units = units * 10 + value.charAt(i) - '0';
        }
        long fraction = 0;
        for (int i = point + 1; point >= 0 && i < value.length(); i++) {
            fraction = fraction * 10 + value.charAt(i) - '0';
        }
        long billionths = units * POWERS[MAX_DIGITS] + fraction * POWERS[MAX_DIGITS - scale];
        return new Price(value.startsWith("-") ? -billionths : billionths, scale);
    }

    private static IllegalArgumentException notAPrice(String text) {
        return new IllegalArgumentException("'" + text + "' is not a price; write a decimal number such as 3.20");
    }

    /** -1, 0 or 1 as the price is negative, zero or positive. */
    public int signum() {
        return Long.signum(billionths);
    }

    /** How many decimals it was written with: 2 for {@code 3.20}, 0 for {@code 3}. */
    public int scale() {
        return scale;
    }

    /** The price with the decimals it was written with: {@code 3.20}, {@code -1}. */
    public String toPlainString() {
        return plain;
    }

    private static String plain(long billionths, int scale) {
        long magnitude = Math.abs(billionths);
        StringBuilder text = new StringBuilder(24);
        if (billionths < 0) {
            text.append('-');
        }
        text.append(magnitude / POWERS[MAX_DIGITS]);
        if (scale > 0) {
            String fraction = Long.toString(magnitude % POWERS[MAX_DIGITS] + POWERS[MAX_DIGITS]); // "1" + 9 digits
            text.append('.').append(fraction, 1, 1 + scale);
        }
        return text.toString();
    }

    /** By value: {@code 3.2} and {@code 3.20} compare as equal. */
    @Override
    public int compareTo(Price other) {
        return Long.compare(billionths, other.billionths);
    }

    /** Equal when written alike: the same value with the same decimals ({@code 3.2} is not {@code 3.20}). */
    @Override
    public boolean equals(Object other) {
        return other instanceof Price price && price.billionths == billionths && price.scale == scale;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(billionths) * 31 + scale;
    }

    @Override
    public String toString() {
        return toPlainString();
    }

    /** Reads a configuration value with {@link Price#valueOf(String)}, its error naming the value and the fix. */
    public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<Price> {

        @Override
        public Price convert(String value) {
            return valueOf(value);
        }
    }

    /** Writes a price as a JSON number with its decimals: {@code "price":3.20}. */
    public static final class Json extends StdSerializer<Price> {

        public Json() {
            super(Price.class);
        }

        @Override
        public void serialize(Price price, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeNumber(price.toPlainString());
        }
    }
}
