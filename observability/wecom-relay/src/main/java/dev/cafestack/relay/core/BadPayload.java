package dev.cafestack.relay.core;

/** A request the relay refuses, with the HTTP status and a message that says what is wrong. */
public final class BadPayload extends Exception {

    private final int status;

    public BadPayload(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
