package dev.cafestack.relay.core;

/** What became of one send to a robot. */
public record Delivery(Outcome outcome, String detail) {

    public enum Outcome {
        OK("ok", false, false),
        /** errcode 45009: over 20 messages a minute. */
        RATE_LIMITED("rate_limited", true, false),
        /** HTTP 5xx or 429, errcode -1 (system busy). */
        SERVER_ERROR("server_error", true, false),
        TIMEOUT("timeout", true, false),
        CONNECTION("connection", true, false),
        /** errcode 93000: the key is not valid. */
        INVALID_KEY("invalid_key", false, true),
        /** errcode 40058: content too long. */
        TOO_LONG("too_long", false, true),
        /** Any other errcode, or an HTTP 4xx: WeCom will not take this message. */
        REJECTED("rejected", false, true);

        public final String reason;
        public final boolean retry;
        public final boolean permanent;

        Outcome(String reason, boolean retry, boolean permanent) {
            this.reason = reason;
            this.retry = retry;
            this.permanent = permanent;
        }
    }
}
