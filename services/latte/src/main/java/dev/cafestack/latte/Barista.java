package dev.cafestack.latte;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafestack.api.v1.BrewReply;
import dev.cafestack.api.v1.BrewRequest;

/**
 * The brewing rules: which drinks and sizes exist and how long each takes. Pure and allocation-light, so the
 * gRPC hot path costs one reply object per call.
 */
@ApplicationScoped
public class Barista {

    private final Map<String, Long> drinks;
    private final List<String> sizes;
    private final double sizeFactor;
    private final String pod;
    private final String version;
    private final String allowedDrinks;
    private final String allowedSizes;

    Barista(LatteConfig config) {
        this.drinks = new TreeMap<>(config.drinks());
        this.sizes = List.copyOf(config.sizes());
        this.sizeFactor = config.sizeFactor();
        this.pod = config.pod();
        this.version = config.version();
        this.allowedDrinks = String.join(", ", drinks.keySet());
        this.allowedSizes = String.join(", ", sizes);
    }

    /**
     * Brews one drink.
     *
     * @throws InvalidOrderException naming the field and what is allowed, for a missing or unknown drink or size
     */
    public BrewReply brew(BrewRequest request) {
        String drink = request.getDrink();
        String size = request.getSize();
        if (drink.isBlank()) {
            throw new InvalidOrderException("drink is required; allowed drinks: " + allowedDrinks);
        }
        Long base = drinks.get(drink);
        if (base == null) {
            throw new InvalidOrderException("drink '" + drink + "' is unknown; allowed drinks: " + allowedDrinks);
        }
        if (size.isBlank()) {
            throw new InvalidOrderException("size is required; allowed sizes: " + allowedSizes);
        }
        int step = sizes.indexOf(size);
        if (step < 0) {
            throw new InvalidOrderException("size '" + size + "' is unknown; allowed sizes: " + allowedSizes);
        }
        long brewMillis = Math.round(base * Math.pow(sizeFactor, step));
        return BrewReply.newBuilder()
                .setDrink(drink)
                .setSize(size)
                .setNotes(request.getNotes())
                .setBrewTimeMillis(brewMillis)
                .setPod(pod)
                .setVersion(version)
                .build();
    }

    public String pod() {
        return pod;
    }

    public String version() {
        return version;
    }

    /** A request that cannot be brewed; the message says which field is wrong and what is allowed. */
    public static final class InvalidOrderException extends RuntimeException {
        public InvalidOrderException(String message) {
            super(message, null, false, false);
        }
    }
}
