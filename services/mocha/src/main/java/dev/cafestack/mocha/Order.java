package dev.cafestack.mocha;

import dev.cafestack.mocha.config.Price;

/** The answer to an order: the drink as brewed, its price, and which latte pod and version brewed it. */
public record Order(String drink, String size, String notes, Price price, String currency,
        long brewTimeMillis, ServedBy servedBy) {

    /** The latte pod and version that served the call: shows per-request load balancing and canary splits. */
    public record ServedBy(String pod, String version) {
    }
}
